// Runs a seeded test Dovecot until SIGINT/SIGTERM:
//   npx tsx test/dovecot/cli.ts [--seed] [--spam N] [--bulk N] [--bulk-folder NAME] [--quota MB]
// Prints one line of JSON on stdout once the server is ready: the connection info (ports, users,
// certificate), the instance dir, and the seed summary. Logs go to stderr.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { connectionInfo, startDovecot, type DovecotConnectionInfo, type DovecotServer } from './server.js';
import { seedAccount, seedBulk, type SeedSummary } from '../seed/seed.js';

export interface SeededServerOptions {
  /** Run seedAccount for alice (corpus + generated mail + shared/public folders); default true. */
  seed?: boolean;
  /** Corpus messages for seedAccount; default 200. */
  spamAssassin?: number;
  /** Synthetic messages for alice's bulkFolder (seedBulk); default 0. */
  bulk?: number;
  /** Folder for the bulk messages; default "Bulk". */
  bulkFolder?: string;
  /** Quota per user in MiB; default 100, raised to fit the bulk messages. */
  quotaMb?: number;
}

export interface SeededServer {
  server: DovecotServer;
  info: DovecotConnectionInfo;
  seed: SeedSummary | undefined;
  bulkMs: number | undefined;
}

/** Starts Dovecot and seeds alice; the caller owns server.stop(). */
export async function startSeededServer(opts: SeededServerOptions = {}): Promise<SeededServer> {
  const bulk = opts.bulk ?? 0;
  // ~1.1 KB per bulk message; leave room for the seeded mail and what a demo appends afterwards.
  const quotaMb = Math.max(opts.quotaMb ?? 100, 100 + Math.ceil((bulk * 2048) / 1024 ** 2));
  const server = await startDovecot({ quotaMb });
  try {
    const seed = (opts.seed ?? true) ? await seedAccount(server, 'alice', { spamAssassin: opts.spamAssassin ?? 200 }) : undefined;
    let bulkMs: number | undefined;
    if (bulk > 0) {
      const t = Date.now();
      await seedBulk(server, 'alice', opts.bulkFolder ?? 'Bulk', bulk);
      bulkMs = Date.now() - t;
    }
    return { server, info: connectionInfo(server), seed, bulkMs };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'boolean', default: false },
      spam: { type: 'string' },
      bulk: { type: 'string' },
      'bulk-folder': { type: 'string' },
      quota: { type: 'string' },
    },
    strict: true,
  });
  const num = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} needs a non-negative integer, got ${v}`);
    return n;
  };
  const opts: SeededServerOptions = { seed: values.seed };
  const spam = num('spam', values.spam);
  const bulk = num('bulk', values.bulk);
  const quota = num('quota', values.quota);
  if (spam !== undefined) opts.spamAssassin = spam;
  if (bulk !== undefined) opts.bulk = bulk;
  if (quota !== undefined) opts.quotaMb = quota;
  if (values['bulk-folder'] !== undefined) opts.bulkFolder = values['bulk-folder'];

  const started = Date.now();
  const { server, info, seed, bulkMs } = await startSeededServer(opts);
  process.stdout.write(
    `${JSON.stringify({ ...info, dir: server.dir, logPath: server.logPath, seed: seed ?? null, bulkMs: bulkMs ?? null })}\n`,
  );
  process.stderr.write(
    `Dovecot ready in ${Date.now() - started} ms: imap ${info.imapPort} (STARTTLS), imaps ${info.imapsPort}, no-STARTTLS ${info.noStarttlsPort}; log ${server.logPath}. Ctrl-C to stop.\n`,
  );

  // Signal listeners do not keep the event loop alive (the Dovecot child is unref'd): a timer does.
  const keepAlive = setInterval(() => undefined, 2 ** 30);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(keepAlive);
  await server.stop();
  process.stderr.write('Dovecot stopped.\n');
}

// Run main() only when executed directly, not when a demo script imports startSeededServer.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
