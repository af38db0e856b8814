import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FileCredentialStore } from '../engine/credentials-file.js';
import { openEngine } from '../engine/index.js';
import { appRoot, appVersion, defaultDataDir } from '../engine/paths.js';
import { startWebServer } from './server.js';

/** `npm run web`: the engine and the built renderer on loopback, for any browser. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      port: { type: 'string', default: '0' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write('Usage: npm run web -- [--data DIR] [--port N]\nServes Tegami on http://127.0.0.1 and prints the URL to open.\n');
    return;
  }
  const root = appRoot();
  const rendererDir = path.join(root, 'dist', 'renderer');
  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error('The renderer is not built: run `npm run web` (it builds first) or `npm run build`.');
  }
  const dataDir = path.resolve(values.data ?? defaultDataDir());
  const credentials = new FileCredentialStore(dataDir);
  const engine = await openEngine({ dataDir, host: 'web', credentials, version: appVersion(root), background: true });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, not “${values.port}”`);
  const server = await startWebServer({ engine, rendererDir, port, filesRoot: dataDir });
  process.stderr.write(`Tegami browser mode: profile ${dataDir}; passwords kept in ${credentials.description}\n`);
  process.stdout.write(`Open Tegami at ${server.url}\n`);
  const stop = async () => {
    await server.close();
    await engine.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`tegami web: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
