/**
 * Saving an attachment (or a message as .eml) and opening it. The desktop app's main process does
 * it (`files.save` shows a save dialog, `files.open` hands it to the default application); in
 * browser mode the loopback server streams it from the engine's part cache (GET /api/part, with the
 * run's token in a header) and the browser saves it as a download.
 */
import { TegamiError } from '../../../../shared/domain/errors.js';
import type { FileRef } from '../../../../shared/domain/files.js';
import { isDesktop, webToken } from '../../ipc/bridge.js';
import { call } from '../../ipc/client.js';

export type Progress = (received: number, total: number | null) => void;

/** Where the file went: a path (desktop), 'downloads' (browser), or null when the user cancelled. */
export type SaveOutcome = { kind: 'saved'; path: string | null } | { kind: 'cancelled' };

/** The file name of a Content-Disposition header: `filename*` (RFC 8187) first, else `filename`. */
export function filenameFromDisposition(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*UTF-8''([^;\s]+)/i.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      // A broken encoding: fall back to the plain name.
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"/i.exec(header);
  return plain?.[1] ?? null;
}

const statusError = (status: number, text: string) =>
  new TegamiError({
    code: status === 404 ? 'NOT_FOUND' : status === 400 ? 'INVALID_INPUT' : 'INTERNAL',
    message: text.trim() || `The file could not be downloaded (HTTP ${status}).`,
  });

/**
 * Reads a part from the loopback server, reporting progress, and returns it with its name.
 * `fetchImpl` is the page's fetch (tests pass their own).
 */
export async function readPart(
  ref: FileRef,
  token: string,
  onProgress: Progress,
  fetchImpl: typeof fetch = fetch,
): Promise<{ blob: Blob; name: string }> {
  const query = new URLSearchParams({ id: String(ref.id), part: ref.part });
  if (ref.filename) query.set('name', ref.filename);
  const res = await fetchImpl(`/api/part?${query.toString()}`, {
    headers: { Authorization: `Bearer ${token}` },
    cache: 'no-store',
    credentials: 'omit',
  });
  if (!res.ok) throw statusError(res.status, await res.text().catch(() => ''));
  const total = Number(res.headers.get('content-length')) || null;
  const chunks: BlobPart[] = [];
  const reader = res.body?.getReader();
  if (reader) {
    let received = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.byteLength;
      onProgress(received, total);
    }
  } else {
    chunks.push(await res.arrayBuffer());
  }
  const type = res.headers.get('content-type') ?? 'application/octet-stream';
  const name = filenameFromDisposition(res.headers.get('content-disposition')) ?? ref.filename ?? 'attachment';
  return { blob: new Blob(chunks, { type }), name };
}

/** Hands bytes to the browser as a download under `name`. */
function triggerDownload(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Saves a part (or the source): a save dialog in the desktop app, a download in the browser. */
export async function saveFile(ref: FileRef, onProgress: Progress): Promise<SaveOutcome> {
  if (isDesktop()) {
    const r = await call('files.save', ref);
    return r.path === null ? { kind: 'cancelled' } : { kind: 'saved', path: r.path };
  }
  const token = webToken();
  if (token === null) throw new TegamiError({ code: 'INTERNAL', message: 'This page has no token for the Tegami server; reload it.' });
  const { blob, name } = await readPart(ref, token, onProgress);
  triggerDownload(blob, name);
  return { kind: 'saved', path: null };
}

/** Only the desktop app can open a file with another application. */
export const canOpenFiles = (): boolean => isDesktop();

export async function openFile(ref: FileRef): Promise<void> {
  await call('files.open', ref);
}
