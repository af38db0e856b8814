import type { DovecotServer } from '../../test/dovecot/server.js';
import type { ResultRow } from './stats.js';
import { log, seed, startServer } from './fixture.js';

/** Shared by the benchmarks of one run: sizes, and servers/stores built once and reused by several benchmarks. */
export class BenchContext {
  readonly env: Record<string, string | undefined>;
  /** Every size a benchmark used, printed before the table and saved in results.json. */
  readonly sizes: Record<string, number | string> = {};
  readonly #memo = new Map<string, Promise<unknown>>();
  readonly #cleanups: (() => Promise<void> | void)[] = [];

  constructor(env: Record<string, string | undefined> = process.env) {
    this.env = env;
  }

  /** The value of `factory` for `key`, built once per run; `cleanup` runs at the end of the run. */
  memo<T>(key: string, factory: () => Promise<T>, cleanup?: (value: T) => Promise<void> | void): Promise<T> {
    let p = this.#memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = factory();
      this.#memo.set(key, p);
      if (cleanup) this.#cleanups.push(async () => cleanup(await p!));
      p.catch(() => this.#memo.delete(key));
    }
    return p;
  }

  /** A Dovecot whose INBOX is empty and whose folder `folder` holds `count` bulk messages. */
  singleFolderServer(count: number, folder = 'Bulk'): Promise<DovecotServer> {
    return this.memo(
      `server:${folder}:${count}`,
      async () => {
        const server = await startServer(count);
        log(`seeding ${count} messages into ${folder} …`);
        const s = await seed(server, folder, count);
        log(`seeded ${count} messages in ${s.toFixed(1)} s`);
        return server;
      },
      (server) => server.stop(),
    );
  }

  async cleanup(): Promise<void> {
    for (const fn of this.#cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        log(`cleanup failed: ${String(error)}`);
      }
    }
  }
}

export interface Bench {
  name: string;
  /** One line for --list and the report. */
  title: string;
  run(ctx: BenchContext): Promise<ResultRow[]>;
}
