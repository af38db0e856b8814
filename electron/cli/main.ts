import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { FileCredentialStore } from '../engine/credentials-file.js';
import { openEngine } from '../engine/index.js';
import { appVersion, defaultDataDir } from '../engine/paths.js';
import { describeFailure, runCli } from './cli.js';

// `tegami … | head`: once the reader has gone, output stops quietly (as a Unix tool's does) and the
// command ends normally, instead of an unhandled EPIPE with a stack trace.
let readerGone = false;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') readerGone = true;
  else process.stderr.write(`tegami: could not write the output: ${error.message}\n`);
});
const write = (data: string | Uint8Array): boolean => readerGone || process.stdout.write(data);

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const { values } = parseArgs({ args: argv, options: { data: { type: 'string' } }, strict: false, allowPositionals: true });
  const dataDir = path.resolve(typeof values.data === 'string' ? values.data : defaultDataDir());
  const engine = await openEngine({ dataDir, host: 'cli', credentials: new FileCredentialStore(dataDir), version: appVersion() });
  try {
    return await runCli(argv, engine, {
      stdout: (t) => write(t),
      stdoutBytes: (b) => write(b),
      readFile: (f) => readFile(f),
      untilInterrupted: () =>
        new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        }),
      stderr: (t) => process.stderr.write(t),
      env: process.env,
      readStdin: () => text(process.stdin),
    });
  } finally {
    await engine.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const { message, exitCode } = describeFailure(error);
    process.stderr.write(`tegami: ${message}\n`);
    process.exitCode = exitCode;
  },
);
