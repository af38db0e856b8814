/**
 * `files.save` and `files.open`, which only the main process can carry out: the engine fetches the
 * part into its cache (messages.part, or messages.source for .eml), then main shows a save dialog
 * and copies it there, or copies it under its own name into a private temporary folder and hands it
 * to the OS's default application (never a file the OS would run). Electron is reached through
 * injected functions (electronFileDeps), so tests drive this with fakes and real temporary files.
 */
import { copyFile, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { app, dialog, shell, type BaseWindow, type SaveDialogOptions } from 'electron';
import { fail, ok, type ErrorInfo, type Result } from '../../shared/domain/errors.js';
import { defaultFilename, FileRef, openable, safeFilename, SOURCE, type SavedFile } from '../../shared/domain/files.js';
import type { Engine } from '../engine/engine.js';

export interface FileDeps {
  invoke: Engine['invoke'];
  /** The save dialog, starting at `defaultPath`; resolves with the chosen path, or null when cancelled. */
  chooseSavePath(defaultPath: string): Promise<string | null>;
  /** Opens a file with the OS's default application; resolves with an error text, '' on success. */
  openPath(file: string): Promise<string>;
  downloadsDir(): string;
  tempDir(): string;
}

type Content = { file: string } | { text: string };

const invalid = (message: string): ErrorInfo => ({ code: 'INVALID_INPUT', message });

/** Validates the request and has the engine fetch the part (or source) into its cache. */
async function fetchContent(deps: FileDeps, input: unknown): Promise<Result<{ content: Content; name: string }>> {
  const parsed = FileRef.safeParse(input ?? {});
  if (!parsed.success) return fail(invalid('Invalid file request: expected a message id and a part.'));
  const { id, part, filename } = parsed.data;
  const answer =
    part === SOURCE
      ? await deps.invoke('messages.source', { id })
      : ((await deps.invoke('messages.part', { id, part })) as Result<unknown>);
  if (!answer.ok) return answer;
  const value = answer.value as { kind?: string; file?: string; text?: string; filename?: string | null };
  const name = safeFilename(filename ?? value.filename ?? null, defaultFilename(part));
  if (value.kind === 'text') return ok({ content: { text: value.text ?? '' }, name });
  if (typeof value.file !== 'string') return fail({ code: 'INTERNAL', message: 'The engine did not say where the part is cached.' });
  return ok({ content: { file: value.file }, name });
}

async function writeContent(content: Content, target: string): Promise<void> {
  if ('file' in content) await copyFile(content.file, target);
  else await writeFile(target, content.text, 'utf8');
}

const storageFailure = (what: string, error: unknown): ErrorInfo => ({
  code: 'STORAGE',
  message: `${what}: ${(error as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : ((error as Error).message ?? String(error))}`,
});

export function createFileHandlers(deps: FileDeps) {
  return {
    async save(input: unknown): Promise<Result<SavedFile>> {
      const fetched = await fetchContent(deps, input);
      if (!fetched.ok) return fetched;
      const target = await deps.chooseSavePath(path.join(deps.downloadsDir(), fetched.value.name));
      if (target === null) return ok({ path: null });
      try {
        await writeContent(fetched.value.content, target);
      } catch (error) {
        return fail(storageFailure(`The file could not be saved to ${target}`, error));
      }
      return ok({ path: target });
    },

    async open(input: unknown): Promise<Result<{ opened: true }>> {
      const fetched = await fetchContent(deps, input);
      if (!fetched.ok) return fetched;
      const { name, content } = fetched.value;
      if (!openable(name)) {
        return fail(invalid(`Tegami does not open “${name}” itself: files of this type can run programs. Save it instead.`));
      }
      let target: string;
      try {
        // A folder of its own (0700), so the name is exactly the attachment's and nobody else can swap the file.
        const dir = await mkdtemp(path.join(deps.tempDir(), OPEN_PREFIX));
        target = path.join(dir, name);
        await writeContent(content, target);
      } catch (error) {
        return fail(storageFailure('The file could not be prepared for opening', error));
      }
      const problem = await deps.openPath(target);
      if (problem !== '') return fail({ code: 'INTERNAL', message: `The file could not be opened: ${problem}` });
      return ok({ opened: true });
    },
  };
}

/** Folders under the temporary folder that files.open made (one per file opened). */
const OPEN_PREFIX = 'tegami-open-';
/** How long a file opened from a message stays in the temporary folder: the application showing it may still read it. */
export const OPENED_FILE_LIFETIME_MS = 24 * 60 * 60 * 1000;

/**
 * Removes the folders files.open made more than `lifetime` ago (run at startup): the OS's viewer
 * reads the copy after files.open returns, so it cannot be removed then, and the OS's own temp
 * cleaning is slow or absent on some systems. Returns how many were removed; errors are skipped
 * (a folder still in use on Windows is removed next time).
 */
export async function sweepOpenedFiles(tempDir: string, now = Date.now(), lifetime = OPENED_FILE_LIFETIME_MS): Promise<number> {
  const names = await readdir(tempDir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(OPEN_PREFIX)) continue;
    const dir = path.join(tempDir, name);
    try {
      const info = await stat(dir);
      if (!info.isDirectory() || now - info.mtimeMs < lifetime) continue;
      await rm(dir, { recursive: true, force: true });
      removed++;
    } catch {
      // gone already, or in use: next time
    }
  }
  return removed;
}

/**
 * The engine as the IPC relay sees it, with `files.save` and `files.open` answered here in main
 * and every other request passed on.
 */
export function withFileHandlers(
  engine: Pick<Engine, 'invoke' | 'onEvent'>,
  handlers: ReturnType<typeof createFileHandlers>,
): Pick<Engine, 'invoke' | 'onEvent'> {
  return {
    invoke: (name, input) =>
      name === 'files.save' ? handlers.save(input) : name === 'files.open' ? handlers.open(input) : engine.invoke(name, input),
    onEvent: (listener) => engine.onEvent(listener),
  };
}

/** The real dialogs and shell, the save dialog attached to the focused window when there is one. */
export function electronFileDeps(invoke: Engine['invoke'], window: () => BaseWindow | null): FileDeps {
  return {
    invoke,
    async chooseSavePath(defaultPath) {
      const parent = window();
      const options: SaveDialogOptions = { defaultPath, properties: ['createDirectory', 'showOverwriteConfirmation'] };
      const r = await (parent ? dialog.showSaveDialog(parent, options) : dialog.showSaveDialog(options));
      return r.canceled || !r.filePath ? null : r.filePath;
    },
    openPath: (file) => shell.openPath(file),
    downloadsDir: () => app.getPath('downloads'),
    tempDir: () => app.getPath('temp'),
  };
}
