import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CredentialStore } from './credentials.js';

/**
 * The plain-Node hosts' password store (browser mode, CLI): a JSON file in the profile directory,
 * readable and writable by the user only (mode 0600), written atomically. It is not encrypted —
 * the desktop app uses the OS keychain instead (electron/main/credentials.ts) — and says so.
 */
export class FileCredentialStore implements CredentialStore {
  readonly description: string;
  readonly #file: string;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string) {
    this.#file = path.join(dataDir, 'credentials.json');
    this.description = `a file readable only by you (${this.#file}), not encrypted`;
  }

  async get(accountId: number): Promise<string | null> {
    return (await this.#read())[String(accountId)] ?? null;
  }

  set(accountId: number, password: string): Promise<void> {
    return this.#update((all) => {
      all[String(accountId)] = password;
    });
  }

  delete(accountId: number): Promise<void> {
    return this.#update((all) => {
      delete all[String(accountId)];
    });
  }

  async #read(): Promise<Record<string, string>> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.#file, 'utf8'));
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
  }

  /** Serialized read-modify-write, so concurrent calls cannot lose each other's change. */
  #update(change: (all: Record<string, string>) => void): Promise<void> {
    const next = this.#queue.then(async () => {
      const all = await this.#read();
      change(all);
      await mkdir(path.dirname(this.#file), { recursive: true, mode: 0o700 });
      const tmp = `${this.#file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(all), { mode: 0o600 });
      await chmod(tmp, 0o600);
      await rename(tmp, this.#file);
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
