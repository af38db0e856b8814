// npm start: the desktop app when Electron can run here, else browser mode (and why).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { root, run } from './lib.mjs';

function electronBinary() {
  const dir = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(dir, 'path.txt');
  if (!existsSync(pathFile)) {
    // The npm package's install script (which downloads the binary) is not run by npm ci here:
    // package.json's allowScripts leaves it out, because it fails offline. Try it now, once.
    process.stderr.write('tegami: fetching the Electron binary …\n');
    const r = spawnSync(process.execPath, [path.join(dir, 'install.js')], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) return { error: 'the Electron binary could not be downloaded from this network' };
  }
  const binary = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? { binary } : { error: `the Electron binary is missing (${binary})` };
}

const headless = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const electron = headless ? { error: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)' } : electronBinary();

if (electron.binary) {
  const built = await run(process.execPath, ['scripts/build.mjs']);
  if (built !== 0) process.exit(built);
  process.exitCode = await run(electron.binary, [root, ...process.argv.slice(2)]);
} else {
  process.stderr.write(
    `tegami: cannot open the desktop app: ${electron.error}.\ntegami: starting the browser mode instead (npm run web).\n`,
  );
  process.exitCode = await run(process.execPath, ['scripts/web.mjs', ...process.argv.slice(2)]);
}
