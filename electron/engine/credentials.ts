/**
 * Where account passwords live. Each host supplies its own: Electron keeps them with safeStorage in
 * the OS keychain (electron/main), the plain-Node hosts (browser mode, CLI) in a file readable only
 * by the user (./credentials-file.ts). The engine never logs them and never sends them to the UI.
 */
export interface CredentialStore {
  /** A short description for the user: where passwords are kept. */
  readonly description: string;
  get(accountId: number): Promise<string | null>;
  set(accountId: number, password: string): Promise<void>;
  delete(accountId: number): Promise<void>;
}

/** Keeps passwords in memory only (tests, and a profile the user chose not to remember). */
export class MemoryCredentialStore implements CredentialStore {
  readonly description = 'in memory only (forgotten when Tegami quits)';
  readonly #secrets = new Map<number, string>();
  async get(accountId: number): Promise<string | null> {
    return this.#secrets.get(accountId) ?? null;
  }
  async set(accountId: number, password: string): Promise<void> {
    this.#secrets.set(accountId, password);
  }
  async delete(accountId: number): Promise<void> {
    this.#secrets.delete(accountId);
  }
}
