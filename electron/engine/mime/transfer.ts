/**
 * Content-Transfer-Encoding (RFC 2045 6): base64 and quoted-printable decoded leniently (mail in the
 * wild breaks both), 7bit/8bit/binary and unknown encodings passed through. The streaming decoder
 * carries incomplete units across chunk boundaries, so a part fetched in byte ranges decodes the
 * same as a part fetched whole.
 */

export interface TransferDecoder {
  write(chunk: Buffer): Buffer;
  end(): Buffer;
}

export function normalizeEncoding(encoding: string | null | undefined): 'base64' | 'quoted-printable' | 'identity' {
  const e = (encoding ?? '').trim().toLowerCase();
  if (e === 'base64') return 'base64';
  if (e === 'quoted-printable') return 'quoted-printable';
  return 'identity';
}

/** RFC 2045 6.8: characters outside the base64 alphabet are ignored; decoding stops at padding. */
function base64Decoder(): TransferDecoder {
  let carry = '';
  let done = false;
  const take = (text: string, final: boolean): Buffer => {
    if (done) return Buffer.alloc(0);
    let clean = carry + text.replace(/[^A-Za-z0-9+/=]/g, '');
    const pad = clean.indexOf('=');
    if (pad >= 0) {
      clean = clean.slice(0, pad);
      done = true;
      final = true;
    }
    const usable = final ? clean.length : clean.length - (clean.length % 4);
    carry = clean.slice(usable);
    return Buffer.from(clean.slice(0, usable), 'base64');
  };
  return { write: (chunk) => take(chunk.toString('latin1'), false), end: () => take('', true) };
}

const hex = (c: number): number =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;

/**
 * RFC 2045 6.7: "=XX" is a byte, "=" at a line end is a soft line break, trailing whitespace on a
 * line is transport padding. A malformed "=" is kept literally (rule 1's robustness advice).
 */
function quotedPrintableDecoder(): TransferDecoder {
  let carry = Buffer.alloc(0);
  const decode = (input: Buffer, final: boolean): Buffer => {
    const data = carry.length ? Buffer.concat([carry, input]) : input;
    carry = Buffer.alloc(0);
    const out = Buffer.allocUnsafe(data.length);
    let n = 0;
    let i = 0;
    for (; i < data.length; i++) {
      const b = data[i] as number;
      if (b === 0x3d) {
        if (!final && i + 2 >= data.length) break; // "=", "=X" or "=\r" split by a chunk boundary
        const h = hex(data[i + 1] ?? 0);
        const l = hex(data[i + 2] ?? 0);
        if (h >= 0 && l >= 0) {
          out[n++] = (h << 4) | l;
          i += 2;
          continue;
        }
        // Soft line break: "=" then optional whitespace then CRLF or LF.
        let j = i + 1;
        while (j < data.length && (data[j] === 0x20 || data[j] === 0x09)) j++;
        if (data[j] === 0x0d && data[j + 1] === 0x0a) {
          i = j + 1;
          continue;
        }
        if (data[j] === 0x0a) {
          i = j;
          continue;
        }
        if (!final && j >= data.length - 1) break;
        out[n++] = b;
        continue;
      }
      if (b === 0x20 || b === 0x09) {
        // Trailing whitespace before a line break is padding added in transport.
        let j = i;
        while (j < data.length && (data[j] === 0x20 || data[j] === 0x09)) j++;
        if (j >= data.length && !final) break;
        if (j >= data.length || data[j] === 0x0d || data[j] === 0x0a) {
          i = j - 1;
          continue;
        }
      }
      out[n++] = b;
    }
    carry = Buffer.from(data.subarray(i));
    return Buffer.from(out.subarray(0, n));
  };
  return { write: (chunk) => decode(chunk, false), end: () => decode(Buffer.alloc(0), true) };
}

export function createTransferDecoder(encoding: string | null | undefined): TransferDecoder {
  switch (normalizeEncoding(encoding)) {
    case 'base64':
      return base64Decoder();
    case 'quoted-printable':
      return quotedPrintableDecoder();
    case 'identity':
      return { write: (chunk) => chunk, end: () => Buffer.alloc(0) };
  }
}

/** Decodes a whole transfer-encoded body at once. */
export function decodeTransfer(body: Buffer, encoding: string | null | undefined): Buffer {
  const decoder = createTransferDecoder(encoding);
  const head = decoder.write(body);
  const tail = decoder.end();
  return tail.length ? Buffer.concat([head, tail]) : head;
}

/**
 * About how many bytes a part of `size` transfer-encoded octets (BODYSTRUCTURE's size) decodes to:
 * base64 carries 3 bytes in 4 characters, on lines of 76 plus CRLF (RFC 2045 6.8). Other encodings
 * are about their size.
 */
export function decodedSize(size: number, encoding: string | null | undefined): number {
  if (encoding?.toLowerCase() !== 'base64') return size;
  const lineBreaks = 2 * Math.ceil(size / 78);
  return Math.max(0, Math.floor(((size - lineBreaks) * 3) / 4));
}
