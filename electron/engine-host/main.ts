/**
 * Entry point of the engine's utilityProcess (forked by electron/main/engine-host.ts):
 *   dist/electron/engine-host/main.js
 * Plain Node plus Electron's `process.parentPort`; it never imports 'electron' (typed in ./child.ts).
 */
import { openEngine } from '../engine/index.js';
import { runEngineChild, type ParentPortLike } from './child.js';

const port = (process as NodeJS.Process & { parentPort?: ParentPortLike }).parentPort;
if (port === undefined) {
  console.error('tegami: electron/engine-host/main.js runs only as an Electron utilityProcess.');
  process.exit(2);
} else {
  void runEngineChild({ port, openEngine, exit: (code) => process.exit(code) });
}
