/**
 * Account passwords under Electron: encrypted with safeStorage (the key lives in the OS keychain:
 * macOS Keychain, Windows DPAPI, libsecret/KWallet on Linux), the ciphertext kept base64 in a JSON
 * file in the profile directory, readable by the user only (mode 0600).
 *
 * On Linux without a keyring safeStorage falls back to 'basic_text' (a hard-coded key: effectively
 * plain text). Then, before the first password is stored, the user is told so plainly and asked
 * (`confirmPlainTextBackend`: a dialog in main, see `plainTextConsentDialog`). A "yes" is remembered
 * in the file; a "no" for as long as Tegami runs (asked again at the next start, so a changed mind
 * has a way back), and the error says why nothing was stored. Passwords never go to the renderer and
 * are never logged.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TegamiError } from '../../shared/domain/errors.js';
import type { CredentialStore } from '../engine/credentials.js';

/** The part of Electron's safeStorage this store uses (electron 45: the async API). */
export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ shouldReEncrypt: boolean; result: string }>;
  /** Linux only. */
  getSelectedStorageBackend?(): string;
}

export interface SafeStorageCredentialStoreOptions {
  safeStorage: SafeStorageLike;
  /** The JSON file, e.g. `<userData>/credentials.json`. */
  file: string;
  /** process.platform; injected for tests. */
  platform?: NodeJS.Platform;
  /** The user accepted that, without a keyring, passwords are stored effectively unencrypted. */
  allowPlainTextBackend?: boolean;
  /**
   * Asks the user whether to store passwords although the only backend is basic_text (no keyring).
   * Called at most once per run until answered "yes". Without it, such a store always refuses.
   */
  confirmPlainTextBackend?: () => Promise<boolean>;
}

interface CredentialsFile {
  version: 1;
  /** accountId → base64 of safeStorage's ciphertext */
  secrets: Record<string, string>;
  /** The user agreed to store passwords without a keyring (basic_text). */
  plainTextAllowed?: true;
}

/** The options of the dialog that asks before storing a password without a keyring (dialog.showMessageBox). */
export const plainTextConsentDialog = {
  type: 'warning',
  title: 'No keyring found',
  message: 'Save your password without encryption?',
  detail:
    'Tegami found no system keyring (such as GNOME Keyring or KWallet) on this computer. Without one, your ' +
    'password can only be saved in a file that anyone who can read your files could decode.\n\n' +
    'Save it anyway, or do not save it: then start a keyring (or run Tegami with ' +
    '--password-store=gnome-libsecret or --password-store=kwallet6) and add the account again.',
  buttons: ["Don't Save", 'Save Without Encryption'],
  defaultId: 0,
  cancelId: 0,
  noLink: true,
} as const;
/** The index of "Save Without Encryption" in plainTextConsentDialog.buttons. */
export const plainTextConsentAccept = 1;

export const noKeyringMessage =
  'Tegami found no system keyring (GNOME Keyring, KWallet or another Secret Service) to protect your ' +
  'password, so it was not saved. Start a keyring and try again, or run Tegami with ' +
  '--password-store=gnome-libsecret or --password-store=kwallet6.';

export const encryptionUnavailableMessage =
  "Tegami cannot encrypt your password: the operating system's keychain is not available, so it was not saved.";

export class SafeStorageCredentialStore implements CredentialStore {
  readonly #safeStorage: SafeStorageLike;
  readonly #file: string;
  readonly #platform: NodeJS.Platform;
  readonly #allowPlainText: boolean;
  readonly #confirmPlainText: (() => Promise<boolean>) | null;
  /** The user said no this run: do not ask again until the next start. */
  #plainTextRefused = false;
  /** Reads and writes of the file happen one at a time, in call order. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: SafeStorageCredentialStoreOptions) {
    this.#safeStorage = options.safeStorage;
    this.#file = options.file;
    this.#platform = options.platform ?? process.platform;
    this.#allowPlainText = options.allowPlainTextBackend ?? false;
    this.#confirmPlainText = options.confirmPlainTextBackend ?? null;
  }

  /** Where passwords are kept, in words for the user (read after app 'ready': the backend is known then). */
  get description(): string {
    if (this.#platform === 'darwin') return 'in the macOS Keychain';
    if (this.#platform === 'win32') return 'encrypted with your Windows account (DPAPI)';
    if (this.#isPlainTextBackend()) return 'in a file in your profile, NOT encrypted (no system keyring was found)';
    return 'encrypted with your desktop keyring';
  }

  #isPlainTextBackend(): boolean {
    return this.#platform === 'linux' && this.#safeStorage.getSelectedStorageBackend?.() === 'basic_text';
  }

  get(accountId: number): Promise<string | null> {
    return this.#serialized(async () => {
      const data = await this.#read();
      const stored = data.secrets[String(accountId)];
      if (stored === undefined) return null;
      const { result, shouldReEncrypt } = await this.#safeStorage.decryptStringAsync(Buffer.from(stored, 'base64'));
      if (shouldReEncrypt) {
        // The key was rotated or a stronger backend became available: store it under the new key.
        data.secrets[String(accountId)] = (await this.#safeStorage.encryptStringAsync(result)).toString('base64');
        await this.#write(data);
      }
      return result;
    });
  }

  set(accountId: number, password: string): Promise<void> {
    return this.#serialized(async () => {
      const data = await this.#read();
      await this.#assertCanEncrypt(data);
      data.secrets[String(accountId)] = (await this.#safeStorage.encryptStringAsync(password)).toString('base64');
      await this.#write(data);
    });
  }

  delete(accountId: number): Promise<void> {
    return this.#serialized(async () => {
      const data = await this.#read();
      if (!Object.hasOwn(data.secrets, String(accountId))) return;
      delete data.secrets[String(accountId)];
      await this.#write(data);
    });
  }

  /** Throws unless a password may be stored; asks the user first when there is no keyring. */
  async #assertCanEncrypt(data: CredentialsFile): Promise<void> {
    if (!(await this.#safeStorage.isAsyncEncryptionAvailable())) {
      throw new TegamiError({ code: 'STORAGE', message: encryptionUnavailableMessage });
    }
    if (!this.#isPlainTextBackend() || this.#allowPlainText || data.plainTextAllowed === true) return;
    if (this.#confirmPlainText !== null && !this.#plainTextRefused) {
      if (await this.#confirmPlainText()) {
        data.plainTextAllowed = true; // written with the password that follows
        return;
      }
      this.#plainTextRefused = true;
    }
    throw new TegamiError({ code: 'STORAGE', message: noKeyringMessage });
  }

  #serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #read(): Promise<CredentialsFile> {
    let text: string;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, secrets: {} };
      throw error;
    }
    const parsed: unknown = JSON.parse(text);
    if (!isCredentialsFile(parsed)) {
      throw new TegamiError({ code: 'STORAGE', message: `The password file ${this.#file} is damaged.` });
    }
    return { version: 1, secrets: { ...parsed.secrets }, ...(parsed.plainTextAllowed === true ? { plainTextAllowed: true } : {}) };
  }

  /** Atomic replace: write a 0600 temporary file beside it, then rename over the old one. */
  async #write(data: CredentialsFile): Promise<void> {
    await mkdir(path.dirname(this.#file), { recursive: true, mode: 0o700 });
    const temporary = `${this.#file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
    await chmod(temporary, 0o600); // the umask cannot widen it, but an old leftover file could be wider
    await rename(temporary, this.#file);
  }
}

function isCredentialsFile(value: unknown): value is CredentialsFile {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { version?: unknown; secrets?: unknown };
  if (v.version !== 1 || typeof v.secrets !== 'object' || v.secrets === null || Array.isArray(v.secrets)) return false;
  return Object.values(v.secrets).every((s) => typeof s === 'string');
}
