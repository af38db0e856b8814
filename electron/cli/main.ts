import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { FileCredentialStore } from '../engine/credentials-file.js';
import { openEngine } from '../engine/index.js';
import { appVersion, defaultDataDir } from '../engine/paths.js';
import { describeFailure, runCli } from './cli.js';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const { values } = parseArgs({ args: argv, options: { data: { type: 'string' } }, strict: false, allowPositionals: true });
  const dataDir = path.resolve(typeof values.data === 'string' ? values.data : defaultDataDir());
  const engine = await openEngine({ dataDir, host: 'cli', credentials: new FileCredentialStore(dataDir), version: appVersion() });
  try {
    return await runCli(argv, engine, {
      stdout: (t) => process.stdout.write(t),
      stdoutBytes: (b) => process.stdout.write(b),
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
