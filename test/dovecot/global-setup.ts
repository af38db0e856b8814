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

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const available = await dovecotAvailable();
  if (!available.ok) throw new Error(`The integration tests need Dovecot. ${available.hint}`);
  // alice is seeded with the full fixture set; the others start empty so that a test file can own
  // one of them and change its mail freely while other files run in parallel.
  const server = await startDovecot({ users: ['alice', 'bob', ...testUsers] });
  try {
    const summary = await seedAccount(server, 'alice', { spamAssassin: 100 });
    project.provide('dovecot', connectionInfo(server));
    project.provide('dovecotSeed', summary);
  } catch (err) {
    // What Dovecot said is the way to the cause (a seeding run once lost its connections mid-APPEND).
    const log = await server.logTail(40).catch(() => '(no log)');
    await server.stop();
    throw new Error(`Seeding the test Dovecot failed: ${String(err)}\nDovecot's log:\n${log}`, { cause: err });
  }
  return async () => {
    await server.stop();
  };
}
