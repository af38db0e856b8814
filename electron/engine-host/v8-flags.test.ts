import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ENGINE_V8_FLAGS, engineUtilityProcessExecArgv, hasEngineV8Flags } from './v8-flags.js';

const root = path.resolve(import.meta.dirname, '..', '..');

/** The young generation's size (MB) in a Node process started with `flags`, after enough garbage to grow it to its limit. */
async function youngGenerationMb(flags: readonly string[]): Promise<number> {
  const churn = `
    let keep = [];
    for (let i = 0; i < 3e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 20000) keep = []; }
    const space = require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    console.log(space.space_size / 2 ** 20);`;
  const { stdout } = await promisify(execFile)(process.execPath, [...flags, '-e', churn]);
  return Number(stdout.trim());
}

describe("the engine process's V8 flags", () => {
  it('limit the young generation to two 4 MB semi-spaces (the default grows to 32 MB)', async () => {
    expect(await youngGenerationMb(ENGINE_V8_FLAGS)).toBeLessThanOrEqual(8);
    expect(await youngGenerationMb([])).toBeGreaterThan(8);
  });

  it("reach Electron's utility process as one --js-flags switch", () => {
    expect(engineUtilityProcessExecArgv()).toEqual(['--js-flags=--max-semi-space-size=4']);
  });

  it('are the ones the plain-Node entry points start with (package.json, scripts/lib.mjs)', async () => {
    const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.cli).toBe(`bash scripts/tegami.sh tsx ${ENGINE_V8_FLAGS.join(' ')} electron/cli/main.ts`);
    expect(scripts.bench).toBe(`bash scripts/tegami.sh tsx ${ENGINE_V8_FLAGS.join(' ')} bench/run.ts`);
    const lib = (await import(path.join(root, 'scripts', 'lib.mjs'))) as { engineV8Flags: string[] };
    expect(lib.engineV8Flags).toEqual(ENGINE_V8_FLAGS);
  });

  it('are recognised in execArgv', () => {
    expect(hasEngineV8Flags(['--import', 'tsx', '--max-semi-space-size=4'])).toBe(true);
    expect(hasEngineV8Flags(['--import', 'tsx'])).toBe(false);
    expect(hasEngineV8Flags(['--max-semi-space-size=16'])).toBe(false);
  });
});
