// npm run demo: a private Dovecot with seeded mail, a fresh profile with alice's account already
// set up and synced, and browser mode pointed at it. Prints the URL; Ctrl-C stops everything.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FileCredentialStore } from '../electron/engine/credentials-file.js';
import { openEngine } from '../electron/engine/index.js';
import { appRoot, appVersion } from '../electron/engine/paths.js';
import { startWebServer } from '../electron/web/server.js';
import { optionInteger, startSeededServer } from './dovecot/cli.js';

const USAGE = `Usage: npm run demo -- [--bulk N] [--port N] [--no-account]
A private Dovecot with seeded mail (alice; bob to add yourself) and Tegami's browser mode set up for it.
  --bulk N        N more synthetic messages in alice's Bulk folder
  --port N        the browser mode's port (default: any free one)
  --no-account    start with no account (add alice through the account form)
`;

const log = (line: string) => process.stderr.write(`${line}\n`);
/** A bad command line: said with the usage, exit 2. */
function usageError(message: string): never {
  process.stderr.write(`npm run demo: ${message}\n\n${USAGE}`);
  process.exit(2);
}
let values;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      bulk: { type: 'string', default: '0' },
      'no-account': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (error) {
  usageError(error instanceof Error ? error.message : String(error));
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
let bulk = 0;
let port = 0;
try {
  bulk = optionInteger('bulk', values.bulk);
  port = optionInteger('port', values.port, 65535);
} catch (error) {
  usageError(error instanceof Error ? error.message : String(error));
}

log('Starting a private Dovecot with seeded mail …');
const { server, info } = await startSeededServer({ bulk });
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tegami-demo-'));
const root = appRoot();
const engine = await openEngine({
  dataDir,
  host: 'web',
  credentials: new FileCredentialStore(dataDir),
  version: appVersion(root),
  background: true,
});

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  await web?.close().catch(() => undefined);
  await engine.close();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(code);
}
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

let web: Awaited<ReturnType<typeof startWebServer>> | undefined;
try {
  const alice = info.users.find((u) => u.user === 'alice')!;
  if (!values['no-account']) {
    const added = await engine.invoke('accounts.add', {
      name: 'Alice (demo)',
      email: alice.email,
      user: alice.user,
      host: info.host,
      port: info.imapsPort,
      security: 'tls',
      password: alice.password,
      // The demo server's certificate is self-signed; the demo trusts it the way a user would
      // after checking the fingerprint shown in the account form.
      trustCertificate: info.certFingerprint256,
    });
    if (!added.ok) throw new Error(added.error.message);
    log('Syncing alice’s mail …');
    const synced = await engine.invoke('sync.run', {});
    if (!synced.ok) throw new Error(synced.error.message);
  }
  web = await startWebServer({ engine, rendererDir: path.join(root, 'dist', 'renderer'), port });
  const bob = info.users.find((u) => u.user === 'bob')!;
  log('');
  log(`IMAP server: 127.0.0.1, TLS port ${info.imapsPort}, STARTTLS port ${info.imapPort}`);
  log(`Certificate SHA-256: ${info.certFingerprint256}`);
  log(`Another user to add through the account form: ${bob.user} / ${bob.password}`);
  log('');
  process.stdout.write(`Tegami demo is running: open ${web.url}\n`);
  log('Ctrl-C stops Tegami and the demo server.');
} catch (error) {
  log(`demo: ${error instanceof Error ? error.message : String(error)}`);
  await stop(1);
}
