// Builds resources/icon.ico (Windows) and resources/icon.icns (macOS) from the PNGs in
// resources/icons/, in plain JavaScript: both formats may hold PNG images as they are (ICO since
// Windows Vista, ICNS since macOS 10.7), so no image library is needed. Run after changing the PNGs:
//   node scripts/make-icons.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { root } from './lib.mjs';

const png = (size) => readFileSync(path.join(root, 'resources', 'icons', `${size}x${size}.png`));

/** ICO: ICONDIR, one ICONDIRENTRY per image, then the PNG data. A width/height byte of 0 means 256. */
export function buildIco(images) {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, data }, i) => {
    const entry = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, entry);
    header.writeUInt8(size >= 256 ? 0 : size, entry + 1);
    header.writeUInt8(0, entry + 2); // no palette
    header.writeUInt8(0, entry + 3); // reserved
    header.writeUInt16LE(1, entry + 4); // colour planes
    header.writeUInt16LE(32, entry + 6); // bits per pixel
    header.writeUInt32LE(data.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += data.length;
  });
  return Buffer.concat([header, ...images.map((i) => i.data)]);
}

/** ICNS: 'icns' + total length, then (OSType, length incl. 8-byte header, PNG data) per image. */
export const icnsTypes = { 16: 'icp4', 32: 'icp5', 64: 'icp6', 128: 'ic07', 256: 'ic08', 512: 'ic09', 1024: 'ic10' };
export function buildIcns(images) {
  const chunks = images.map(({ size, data }) => {
    const head = Buffer.alloc(8);
    head.write(icnsTypes[size], 0, 'ascii');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + chunks.reduce((n, c) => n + c.length, 0), 4);
  return Buffer.concat([head, ...chunks]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ico = buildIco([16, 32, 48, 64, 128, 256].map((size) => ({ size, data: png(size) })));
  writeFileSync(path.join(root, 'resources', 'icon.ico'), ico);
  const icns = buildIcns([16, 32, 64, 128, 256, 512, 1024].map((size) => ({ size, data: png(size) })));
  writeFileSync(path.join(root, 'resources', 'icon.icns'), icns);
  console.log(`resources/icon.ico (${ico.length} bytes), resources/icon.icns (${icns.length} bytes)`);
}
