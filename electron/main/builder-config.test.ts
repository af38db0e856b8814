import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';

// js-yaml ships no types (and electron-builder itself reads its YAML with it).
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };

const repo = new URL('../../', import.meta.url);
const config = yaml.load(readFileSync(new URL('electron-builder.yml', repo), 'utf8')) as Record<string, unknown>;
const schema = JSON.parse(readFileSync(new URL('node_modules/app-builder-lib/scheme.json', repo), 'utf8')) as object;

describe('electron-builder.yml', () => {
  it("matches electron-builder's own configuration schema", () => {
    // The options electron-builder validates with, minus coerceTypes: a string where a boolean
    // belongs should fail here rather than be silently converted.
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const valid = validate(config);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('names the app and where installers go', () => {
    expect(config).toMatchObject({
      appId: 'app.tegami.desktop',
      productName: 'Tegami',
      directories: { output: 'dist/installers', buildResources: 'resources' },
    });
  });

  it('packages the built app only, and unpacks native addons', () => {
    // dist/electron/** includes the engine's utilityProcess entry, dist/electron/engine-host/main.js.
    expect(config['files']).toEqual(
      expect.arrayContaining(['package.json', 'dist/electron/**', 'dist/shared/**', 'dist/renderer/**', 'resources/icons/**']),
    );
    expect(config['asarUnpack']).toEqual(['**/*.node']);
    expect(config['npmRebuild']).toBe(false);
    expect(config['asar']).toBe(true);
  });

  it('flips every Electron fuse to its locked-down position', () => {
    expect(config['electronFuses']).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('builds AppImage and deb, NSIS, dmg and zip, and registers for mailto:', () => {
    expect(config['linux']).toMatchObject({
      target: ['AppImage', 'deb'],
      category: 'Network;Email',
      mimeTypes: ['x-scheme-handler/mailto'],
    });
    expect(config['win']).toMatchObject({ target: ['nsis'] });
    expect(config['mac']).toMatchObject({ target: ['dmg', 'zip'], category: 'public.app-category.productivity' });
    expect(config['protocols']).toEqual([expect.objectContaining({ schemes: ['mailto'] })]);
  });

  it('points at icons that exist', () => {
    const linux = config['linux'] as { icon: string };
    for (const size of [16, 32, 48, 64, 128, 256, 512, 1024]) {
      expect(() => readFileSync(new URL(`${linux.icon}/${size}x${size}.png`, repo))).not.toThrow();
    }
    expect(() => readFileSync(new URL('resources/icon.png', repo))).not.toThrow();
  });

  it('has a Windows .ico of PNG images, 16 to 256 px, as scripts/make-icons.mjs builds it', () => {
    expect((config['win'] as { icon: string }).icon).toBe('resources/icon.ico');
    const ico = readFileSync(new URL('resources/icon.ico', repo));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const sizes: number[] = [];
    for (let i = 0; i < ico.readUInt16LE(4); i++) {
      const entry = 6 + 16 * i;
      sizes.push(ico.readUInt8(entry) || 256);
      const offset = ico.readUInt32LE(entry + 12);
      expect(ico.subarray(offset, offset + 8).toString('latin1')).toBe('\x89PNG\r\n\x1a\n');
      expect(offset + ico.readUInt32LE(entry + 8)).toBeLessThanOrEqual(ico.length);
    }
    expect(sizes).toEqual([16, 32, 48, 64, 128, 256]);
  });

  it('has a macOS .icns of PNG images up to 1024 px, as scripts/make-icons.mjs builds it', () => {
    expect((config['mac'] as { icon: string }).icon).toBe('resources/icon.icns');
    const icns = readFileSync(new URL('resources/icon.icns', repo));
    expect(icns.subarray(0, 4).toString('latin1')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const types: string[] = [];
    for (let at = 8; at < icns.length; at += icns.readUInt32BE(at + 4)) {
      types.push(icns.subarray(at, at + 4).toString('latin1'));
      expect(icns.subarray(at + 8, at + 12).toString('latin1')).toBe('\x89PNG');
    }
    expect(types).toEqual(['icp4', 'icp5', 'icp6', 'ic07', 'ic08', 'ic09', 'ic10']);
  });

  it('rejects a misspelt option (the schema check has teeth)', () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate({ ...config, electronFuses: { runAsNodee: false } })).toBe(false);
    expect(validate({ ...config, npmRebuild: 'no' })).toBe(false);
  });
});
