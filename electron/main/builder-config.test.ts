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
    expect(config['files']).toEqual(expect.arrayContaining(['package.json', 'dist/electron/**', 'dist/shared/**', 'dist/renderer/**']));
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

  it('rejects a misspelt option (the schema check has teeth)', () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate({ ...config, electronFuses: { runAsNodee: false } })).toBe(false);
    expect(validate({ ...config, npmRebuild: 'no' })).toBe(false);
  });
});
