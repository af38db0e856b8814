import path from 'node:path';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TegamiError } from '../../shared/domain/errors.js';
import {
  SafeStorageCredentialStore,
  noKeyringMessage,
  plainTextConsentAccept,
  plainTextConsentDialog,
  type SafeStorageLike,
} from './credentials.js';

/** A stand-in for safeStorage: "encrypts" by reversing and tagging with the current key version. */
function fakeSafeStorage(options: { backend?: string; available?: boolean } = {}) {
  let keyVersion = 1;
  const storage = {
    isAsyncEncryptionAvailable: vi.fn(async () => options.available ?? true),
    encryptStringAsync: vi.fn(async (plain: string) => Buffer.from(`v${keyVersion}:${[...plain].reverse().join('')}`, 'utf8')),
    decryptStringAsync: vi.fn(async (encrypted: Buffer) => {
      const text = encrypted.toString('utf8');
      const match = /^v(\d+):(.*)$/su.exec(text);
      if (match === null) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return { result: [...(match[2] ?? '')].reverse().join(''), shouldReEncrypt: Number(match[1]) < keyVersion };
    }),
    getSelectedStorageBackend: vi.fn(() => options.backend ?? 'gnome_libsecret'),
    rotateKey() {
      keyVersion += 1;
    },
  } satisfies SafeStorageLike & { rotateKey(): void };
  return storage;
}

describe('SafeStorageCredentialStore', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tegami-credentials-'));
    file = path.join(dir, 'profile', 'credentials.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips a password and never writes it in clear', async () => {
    const safeStorage = fakeSafeStorage();
    const store = new SafeStorageCredentialStore({ safeStorage, file, platform: 'linux' });
    expect(await store.get(1)).toBeNull();
    await store.set(1, 'pässwörd 手紙');
    await store.set(2, 'other');
    expect(await store.get(1)).toBe('pässwörd 手紙');
    expect(await store.get(2)).toBe('other');
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('pässwörd');
    expect(JSON.parse(text)).toEqual({
      version: 1,
      secrets: { '1': expect.stringMatching(/^[A-Za-z0-9+/]+=*$/), '2': expect.any(String) },
    });
    // A new store on the same file (the next start of Tegami) reads it back.
    expect(await new SafeStorageCredentialStore({ safeStorage, file, platform: 'linux' }).get(1)).toBe('pässwörd 手紙');
  });

  it('keeps the file readable by the user only (0600)', async () => {
    const store = new SafeStorageCredentialStore({ safeStorage: fakeSafeStorage(), file, platform: 'linux' });
    await store.set(1, 'secret');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await store.set(1, 'secret2');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('re-encrypts on set, replacing the old ciphertext', async () => {
    const safeStorage = fakeSafeStorage();
    const store = new SafeStorageCredentialStore({ safeStorage, file, platform: 'linux' });
    await store.set(1, 'first');
    const before = JSON.parse(await readFile(file, 'utf8')).secrets['1'];
    await store.set(1, 'second');
    const after = JSON.parse(await readFile(file, 'utf8')).secrets['1'];
    expect(after).not.toBe(before);
    expect(safeStorage.encryptStringAsync).toHaveBeenLastCalledWith('second');
    expect(await store.get(1)).toBe('second');
  });

  it('re-encrypts a password that safeStorage says to (rotated key) when it is read', async () => {
    const safeStorage = fakeSafeStorage();
    const store = new SafeStorageCredentialStore({ safeStorage, file, platform: 'darwin' });
    await store.set(1, 'secret');
    safeStorage.rotateKey();
    expect(await store.get(1)).toBe('secret');
    const stored = JSON.parse(await readFile(file, 'utf8')).secrets['1'];
    expect(Buffer.from(stored, 'base64').toString('utf8')).toMatch(/^v2:/);
    safeStorage.encryptStringAsync.mockClear();
    expect(await store.get(1)).toBe('secret');
    expect(safeStorage.encryptStringAsync).not.toHaveBeenCalled();
  });

  it('deletes a password', async () => {
    const store = new SafeStorageCredentialStore({ safeStorage: fakeSafeStorage(), file, platform: 'linux' });
    await store.set(1, 'a');
    await store.set(2, 'b');
    await store.delete(1);
    await store.delete(99);
    expect(await store.get(1)).toBeNull();
    expect(await store.get(2)).toBe('b');
  });

  it("refuses to store a password with Linux's basic_text backend", async () => {
    const safeStorage = fakeSafeStorage({ backend: 'basic_text' });
    const store = new SafeStorageCredentialStore({ safeStorage, file, platform: 'linux' });
    const error = await store.set(1, 'secret').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TegamiError);
    expect((error as TegamiError).info).toEqual({ code: 'STORAGE', message: noKeyringMessage });
    expect(safeStorage.encryptStringAsync).not.toHaveBeenCalled();
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('stores with basic_text once the user accepted it', async () => {
    const safeStorage = fakeSafeStorage({ backend: 'basic_text' });
    const store = new SafeStorageCredentialStore({ safeStorage, file, platform: 'linux', allowPlainTextBackend: true });
    await store.set(1, 'secret');
    expect(await store.get(1)).toBe('secret');
  });

  it('without a keyring, asks before storing, and remembers a yes in the file', async () => {
    const safeStorage = fakeSafeStorage({ backend: 'basic_text' });
    const confirm = vi.fn(async () => true);
    const store = new SafeStorageCredentialStore({ safeStorage, file, platform: 'linux', confirmPlainTextBackend: confirm });
    await store.set(1, 'secret');
    await store.set(2, 'other');
    expect(confirm).toHaveBeenCalledOnce();
    expect(await store.get(1)).toBe('secret');
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ plainTextAllowed: true });
    // The next start of Tegami does not ask again.
    const again = vi.fn(async () => false);
    await new SafeStorageCredentialStore({ safeStorage, file, platform: 'linux', confirmPlainTextBackend: again }).set(3, 'x');
    expect(again).not.toHaveBeenCalled();
  });

  it('without a keyring, a no stores nothing, says why, and is not asked again this run', async () => {
    const safeStorage = fakeSafeStorage({ backend: 'basic_text' });
    const confirm = vi.fn(async () => false);
    const store = new SafeStorageCredentialStore({ safeStorage, file, platform: 'linux', confirmPlainTextBackend: confirm });
    await expect(store.set(1, 'secret')).rejects.toMatchObject({ info: { code: 'STORAGE', message: noKeyringMessage } });
    await expect(store.set(1, 'secret')).rejects.toMatchObject({ info: { message: noKeyringMessage } });
    expect(confirm).toHaveBeenCalledOnce();
    expect(safeStorage.encryptStringAsync).not.toHaveBeenCalled();
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('never asks when a keyring is there', async () => {
    const confirm = vi.fn(async () => true);
    await new SafeStorageCredentialStore({ safeStorage: fakeSafeStorage(), file, platform: 'linux', confirmPlainTextBackend: confirm }).set(
      1,
      'x',
    );
    expect(confirm).not.toHaveBeenCalled();
  });

  it('asks with a plain warning whose default and cancel answer is "do not save"', () => {
    expect(plainTextConsentDialog.type).toBe('warning');
    expect(plainTextConsentDialog.buttons[plainTextConsentDialog.cancelId]).toBe("Don't Save");
    expect(plainTextConsentDialog.defaultId).toBe(plainTextConsentDialog.cancelId);
    expect(plainTextConsentDialog.buttons[plainTextConsentAccept]).toBe('Save Without Encryption');
    expect(plainTextConsentDialog.detail).toMatch(/no system keyring/i);
  });

  it('says plainly when passwords are not encrypted', () => {
    const store = new SafeStorageCredentialStore({ safeStorage: fakeSafeStorage({ backend: 'basic_text' }), file, platform: 'linux' });
    expect(store.description).toMatch(/NOT encrypted/);
    expect(new SafeStorageCredentialStore({ safeStorage: fakeSafeStorage(), file, platform: 'linux' }).description).toBe(
      'encrypted with your desktop keyring',
    );
  });

  it('asks for the Linux backend on Linux only', async () => {
    const safeStorage = fakeSafeStorage({ backend: 'basic_text' });
    await new SafeStorageCredentialStore({ safeStorage, file, platform: 'win32' }).set(1, 'secret');
    expect(safeStorage.getSelectedStorageBackend).not.toHaveBeenCalled();
  });

  it('refuses to store when encryption is unavailable', async () => {
    const safeStorage = fakeSafeStorage({ available: false });
    const store = new SafeStorageCredentialStore({ safeStorage, file, platform: 'darwin' });
    await expect(store.set(1, 'secret')).rejects.toMatchObject({ code: 'STORAGE' });
    expect(safeStorage.encryptStringAsync).not.toHaveBeenCalled();
  });

  it('reports a damaged file instead of overwriting it', async () => {
    const store = new SafeStorageCredentialStore({ safeStorage: fakeSafeStorage(), file: path.join(dir, 'c.json'), platform: 'linux' });
    await writeFile(path.join(dir, 'c.json'), JSON.stringify({ version: 1, secrets: { '1': 5 } }));
    await expect(store.get(1)).rejects.toMatchObject({ code: 'STORAGE' });
    await expect(store.set(2, 'x')).rejects.toMatchObject({ code: 'STORAGE' });
  });

  it('applies concurrent calls in order, losing none', async () => {
    const store = new SafeStorageCredentialStore({ safeStorage: fakeSafeStorage(), file, platform: 'linux' });
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set(i, `p${i}`)));
    const values = await Promise.all(Array.from({ length: 20 }, (_, i) => store.get(i)));
    expect(values).toEqual(Array.from({ length: 20 }, (_, i) => `p${i}`));
  });

  it('describes where passwords are kept', () => {
    expect(new SafeStorageCredentialStore({ safeStorage: fakeSafeStorage(), file, platform: 'darwin' }).description).toContain('Keychain');
  });
});
