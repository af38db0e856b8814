// Small helpers shared by the task scripts (plain ESM so they run before anything is compiled).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '..');

/** Runs a command with inherited stdio; resolves with its exit code. */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Runs a command and throws when it fails. */
export async function must(cmd, args, opts = {}) {
  const code = await run(cmd, args, opts);
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${code}`);
}

export const bin = (name) => path.join(root, 'node_modules', '.bin', name);

/** Newest modification time below a folder (files only). */
export function newest(dir) {
  if (!existsSync(dir)) return 0;
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) max = Math.max(max, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return max;
}

/** Builds the renderer into dist/renderer when its sources are newer than the build. */
export async function buildRenderer({ force = false } = {}) {
  const out = path.join(root, 'dist', 'renderer', 'index.html');
  const built = existsSync(out) ? statSync(out).mtimeMs : 0;
  const sources = Math.max(newest(path.join(root, 'renderer')), newest(path.join(root, 'shared')));
  if (!force && built > sources) return;
  process.stderr.write('tegami: building the renderer …\n');
  await must(bin('vite'), ['build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']);
}

/**
 * The engine process's V8 flags (electron/engine-host/v8-flags.ts says why; its test keeps this
 * copy and package.json's `cli` and `bench` scripts equal to it).
 */
export const engineV8Flags = ['--max-semi-space-size=4'];

/** Runs a TypeScript entry point that runs the engine with tsx (Node 22 is on PATH: see scripts/node22.sh). */
export const tsx = (file, args = [], opts = {}) => run(process.execPath, [...engineV8Flags, '--import', 'tsx', file, ...args], opts);
