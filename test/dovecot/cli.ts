// Runs a seeded test Dovecot until SIGINT/SIGTERM (`npm run dovecot -- --help` lists the options):
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

export const usage = `Usage: npm run dovecot -- [--seed] [--spam N] [--bulk N] [--bulk-folder NAME] [--quota MB]

Runs a private Dovecot on loopback ports until Ctrl-C, and prints its connection info (ports, users,
certificate) as one line of JSON on stdout once it is ready.

  --seed              fill alice's account: the SpamAssassin corpus, generated mail, Japanese and nested
                      folders, a folder shared by bob and a public one
  --spam N            corpus messages for --seed (default 200)
  --bulk N            N synthetic messages in alice's bulk folder
  --bulk-folder NAME  the bulk folder (default Bulk)
  --quota MB          quota per user (default 100, raised to fit --bulk)
  --help              this text
`;

/** The command line's options; a UsageError for anything it does not take. */
export function parseCliArgs(args: string[]): SeededServerOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        seed: { type: 'boolean', default: false },
        spam: { type: 'string' },
        bulk: { type: 'string' },
        'bulk-folder': { type: 'string' },
        quota: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return 'help';
  const num = (name: string, v: string | undefined): number | undefined => (v === undefined ? undefined : optionInteger(name, v));
  const opts: SeededServerOptions = { seed: values.seed };
  const spam = num('spam', values.spam);
  const bulk = num('bulk', values.bulk);
  const quota = num('quota', values.quota);
  if (spam !== undefined) opts.spamAssassin = spam;
  if (bulk !== undefined) opts.bulk = bulk;
  if (quota !== undefined) opts.quotaMb = quota;
  if (values['bulk-folder'] !== undefined) opts.bulkFolder = values['bulk-folder'];
  return opts;
}

/** A command line it does not take: said with the usage, no stack. */
export class UsageError extends Error {}

/** The value of --`name` as an integer from 0 to `max`; a UsageError otherwise. */
export function optionInteger(name: string, value: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0 || n > max)
    throw new UsageError(`--${name} needs a non-negative integer${max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : ''}, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  const opts = parseCliArgs(process.argv.slice(2));
  if (opts === 'help') {
    process.stdout.write(usage);
    return;
  }

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
    if (err instanceof UsageError) {
      process.stderr.write(`npm run dovecot: ${err.message}\n\n${usage}`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
