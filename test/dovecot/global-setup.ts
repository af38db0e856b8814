// Vitest globalSetup for the integration project: one seeded Dovecot for the whole run.
// Tests read the connection info with `inject('dovecot')` (and the seed summary with `inject('dovecotSeed')`).
import type { TestProject } from 'vitest/node';
import { connectionInfo, dovecotAvailable, startDovecot, type DovecotConnectionInfo } from './server.js';
import { seedAccount, type SeedSummary } from '../seed/seed.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dovecot: DovecotConnectionInfo;
    /** What seedAccount put into alice's account: folder path → message count, generated Message-IDs. */
    dovecotSeed: SeedSummary;
  }
}

/** Empty accounts for test files that change server state; one per file (see each file's USER). */
export const testUsers = ['carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'ken', 'leo', 'mike'] as const;

/** Seeding attempts: a fresh Dovecot each, so a retry cannot double any message. */
const ATTEMPTS = 2;

interface Seedable {
  stop(): Promise<void>;
  logTail(lines: number): Promise<string>;
}

/**
 * Starts a server and seeds it; when seeding fails, reports it with the server's log (the way to
 * the cause: a seeding run once lost its connections mid-APPEND, not seen again), stops that server
 * and tries a new one, up to `attempts` in all. The last failure is thrown with its report.
 */
export async function startSeeded<S extends Seedable, T>(
  start: () => Promise<S>,
  seed: (server: S) => Promise<T>,
  options: { attempts: number; warn: (report: string) => void },
): Promise<{ server: S; seeded: T }> {
  for (let attempt = 1; ; attempt++) {
    const server = await start();
    try {
      return { server, seeded: await seed(server) };
    } catch (err) {
      const log = await server.logTail(40).catch(() => '(no log)');
      await server.stop();
      const report = `Seeding the test Dovecot failed (attempt ${attempt} of ${options.attempts}): ${String(err)}\nDovecot's log:\n${log}`;
      if (attempt >= options.attempts) throw new Error(report, { cause: err });
      options.warn(`${report}\nStarting a new Dovecot and seeding again.`);
    }
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const available = await dovecotAvailable();
  if (!available.ok) throw new Error(`The integration tests need Dovecot. ${available.hint}`);
  // alice is seeded with the full fixture set; the others start empty so that a test file can own
  // one of them and change its mail freely while other files run in parallel.
  const { server, seeded } = await startSeeded(
    () => startDovecot({ users: ['alice', 'bob', ...testUsers] }),
    (s) => seedAccount(s, 'alice', { spamAssassin: 100 }),
    { attempts: ATTEMPTS, warn: (report) => void process.stderr.write(`${report}\n`) },
  );
  project.provide('dovecot', connectionInfo(server));
  project.provide('dovecotSeed', seeded);
  return async () => {
    await server.stop();
  };
}
