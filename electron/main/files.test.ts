// files.save / files.open in main: against real temporary files, with the engine, the dialog and
// the shell faked (electronFileDeps against a mocked 'electron' module).
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, statSync, mkdirSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fail, ok, type Result } from '../../shared/domain/errors.js';
import {
  createFileHandlers,
  electronFileDeps,
  OPENED_FILE_LIFETIME_MS,
  sweepOpenedFiles,
  withFileHandlers,
  type FileDeps,
} from './files.js';

const e = vi.hoisted(() => ({
  showSaveDialog: vi.fn(async (..._args: unknown[]) => ({ canceled: false, filePath: '/chosen/report.pdf' })),
  openPath: vi.fn(async (_file: string) => ''),
  getPath: vi.fn((name: string) => `/home/u/${name}`),
}));
vi.mock('electron', () => ({
  app: { getPath: e.getPath },
  dialog: { showSaveDialog: e.showSaveDialog },
  shell: { openPath: e.openPath },
}));

let dir: string;
let cached: string;
const pdf = Buffer.from('%PDF-1.4\n\x00\xff\x10 bytes\n%%EOF\n', 'latin1');

const invoke = vi.fn(async (name: unknown, input: unknown): Promise<Result<unknown>> => {
  const { id, part } = input as { id: number; part?: string };
  if (name === 'messages.part' && id === 1 && part === '2')
    return ok({ kind: 'file', part, contentType: 'application/pdf', filename: 'Report.pdf', file: cached, size: pdf.length });
  if (name === 'messages.part' && id === 1 && part === '3')
    return ok({ kind: 'text', part, contentType: 'text/plain', charset: 'utf-8', text: 'Grüße', size: 5 });
  if (name === 'messages.part' && id === 1 && part === '4')
    return ok({ kind: 'file', part, contentType: 'application/x-msdownload', filename: 'setup.exe', file: cached, size: 1 });
  if (name === 'messages.source' && id === 1) return ok({ id, file: cached, size: pdf.length, text: '', truncated: false });
  return fail({ code: 'NOT_FOUND', message: 'This message has no part 9.' });
});

function fakeDeps(over: Partial<FileDeps> = {}): FileDeps & { chosen: string[]; opened: string[] } {
  const chosen: string[] = [];
  const opened: string[] = [];
  return {
    invoke,
    chooseSavePath: async (p) => {
      chosen.push(p);
      return path.join(dir, 'saved-' + path.basename(p));
    },
    openPath: async (f) => {
      opened.push(f);
      return '';
    },
    downloadsDir: () => '/home/u/Downloads',
    tempDir: () => dir,
    chosen,
    opened,
    ...over,
  };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tegami-files-'));
  cached = path.join(dir, 'cache-1-2');
  writeFileSync(cached, pdf);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  invoke.mockClear();
});

describe('files.save', () => {
  it('asks where to save, starting in Downloads under the attachment’s name, and copies the exact bytes', async () => {
    const deps = fakeDeps();
    const r = await createFileHandlers(deps).save({ id: 1, part: '2' });
    expect(r).toEqual({ ok: true, value: { path: path.join(dir, 'saved-Report.pdf') } });
    expect(deps.chosen).toEqual([path.join('/home/u/Downloads', 'Report.pdf')]);
    expect(readFileSync(path.join(dir, 'saved-Report.pdf')).equals(pdf)).toBe(true);
    expect(invoke).toHaveBeenCalledExactlyOnceWith('messages.part', { id: 1, part: '2' });
  });

  it('uses the given name made safe, writes a text part as UTF-8, and saves the source as .eml', async () => {
    const deps = fakeDeps();
    const handlers = createFileHandlers(deps);
    expect((await handlers.save({ id: 1, part: '3', filename: '../../notes.txt' })).ok).toBe(true);
    expect(deps.chosen.at(-1)).toBe(path.join('/home/u/Downloads', 'notes.txt'));
    expect(readFileSync(path.join(dir, 'saved-notes.txt'), 'utf8')).toBe('Grüße');
    expect((await handlers.save({ id: 1, part: 'source' })).ok).toBe(true);
    expect(deps.chosen.at(-1)).toBe(path.join('/home/u/Downloads', 'message.eml'));
    expect(invoke).toHaveBeenLastCalledWith('messages.source', { id: 1 });
  });

  it('writes nothing when the dialog is cancelled', async () => {
    const r = await createFileHandlers(fakeDeps({ chooseSavePath: async () => null })).save({ id: 1, part: '2' });
    expect(r).toEqual({ ok: true, value: { path: null } });
  });

  it('passes on the engine’s error for an unknown part, and refuses a malformed request without asking it', async () => {
    const handlers = createFileHandlers(fakeDeps());
    expect(await handlers.save({ id: 1, part: '9' })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'This message has no part 9.' },
    });
    invoke.mockClear();
    for (const input of [{ id: 1, part: '../../etc/passwd' }, { id: 'x', part: '2' }, null, { id: 1 }]) {
      const r = await handlers.save(input);
      expect(r.ok ? null : r.error.code).toBe('INVALID_INPUT');
    }
    expect(invoke).not.toHaveBeenCalled();
  });

  it('reports a file that cannot be written as a storage error', async () => {
    const r = await createFileHandlers(fakeDeps({ chooseSavePath: async () => path.join(dir, 'no-such-dir', 'x.pdf') })).save({
      id: 1,
      part: '2',
    });
    expect(r.ok ? null : r.error.code).toBe('STORAGE');
    expect(r.ok ? '' : r.error.message).toContain('could not be saved');
  });
});

describe('files.open', () => {
  it('copies the part under its own name into a private folder and opens that', async () => {
    const deps = fakeDeps();
    expect(await createFileHandlers(deps).open({ id: 1, part: '2' })).toEqual({ ok: true, value: { opened: true } });
    const [file] = deps.opened;
    expect(path.basename(file ?? '')).toBe('Report.pdf');
    expect(path.dirname(file ?? '')).toMatch(/tegami-open-/);
    expect(readFileSync(file ?? '').equals(pdf)).toBe(true);
    if (process.platform !== 'win32') expect(statSync(path.dirname(file ?? '')).mode & 0o777).toBe(0o700);
  });

  it('refuses to open a file the OS would run, without writing it anywhere', async () => {
    const deps = fakeDeps();
    const r = await createFileHandlers(deps).open({ id: 1, part: '4' });
    expect(r.ok ? '' : r.error.message).toContain('“setup.exe”');
    expect(deps.opened).toEqual([]);
  });

  it('reports what the shell said when opening failed', async () => {
    const r = await createFileHandlers(fakeDeps({ openPath: async () => 'No application is registered' })).open({ id: 1, part: '2' });
    expect(r).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'The file could not be opened: No application is registered' } });
  });

  it('reports a temporary folder that cannot be made', async () => {
    const r = await createFileHandlers(fakeDeps({ tempDir: () => path.join(dir, 'missing', 'deeper') })).open({ id: 1, part: '2' });
    expect(r.ok ? null : r.error.code).toBe('STORAGE');
  });
});

describe('sweepOpenedFiles', () => {
  it('removes the folders of files opened more than a day ago, and nothing else', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'tegami-sweep-'));
    try {
      const now = Date.now();
      const make = (name: string, ageMs: number) => {
        const d = path.join(tmp, name);
        mkdirSync(d);
        writeFileSync(path.join(d, 'report.pdf'), 'x');
        const t = new Date(now - ageMs);
        utimesSync(d, t, t);
        return d;
      };
      const old = make('tegami-open-old', OPENED_FILE_LIFETIME_MS + 60_000);
      const fresh = make('tegami-open-fresh', 60_000);
      const other = make('someone-else', OPENED_FILE_LIFETIME_MS * 3);
      writeFileSync(path.join(tmp, 'tegami-open-file'), 'not a folder');
      expect(await sweepOpenedFiles(tmp, now)).toBe(1);
      expect([existsSync(old), existsSync(fresh), existsSync(other), existsSync(path.join(tmp, 'tegami-open-file'))]).toEqual([
        false,
        true,
        true,
        true,
      ]);
      expect(await sweepOpenedFiles(path.join(tmp, 'missing'), now)).toBe(0);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('withFileHandlers', () => {
  it('answers files.* in main and passes everything else to the engine', async () => {
    const engine = { invoke: vi.fn(async () => ok('engine')), onEvent: vi.fn(() => () => undefined) };
    const handlers = { save: vi.fn(async () => ok({ path: null })), open: vi.fn(async () => ok({ opened: true as const })) };
    const wrapped = withFileHandlers(engine, handlers);
    expect(await wrapped.invoke('files.save', { id: 1, part: '2' })).toEqual(ok({ path: null }));
    expect(await wrapped.invoke('files.open', { id: 1, part: '2' })).toEqual(ok({ opened: true }));
    expect(await wrapped.invoke('messages.get', { id: 1 })).toEqual(ok('engine'));
    expect(engine.invoke).toHaveBeenCalledExactlyOnceWith('messages.get', { id: 1 });
    expect(handlers.save).toHaveBeenCalledExactlyOnceWith({ id: 1, part: '2' });
    const listener = () => undefined;
    wrapped.onEvent(listener);
    expect(engine.onEvent).toHaveBeenCalledWith(listener);
  });
});

describe('electronFileDeps', () => {
  it('shows the save dialog on the window (or alone), and reads paths and the shell from electron', async () => {
    const window = { id: 1 };
    const deps = electronFileDeps(invoke, () => window as never);
    expect(await deps.chooseSavePath('/home/u/Downloads/Report.pdf')).toBe('/chosen/report.pdf');
    expect(e.showSaveDialog).toHaveBeenCalledWith(window, {
      defaultPath: '/home/u/Downloads/Report.pdf',
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });
    e.showSaveDialog.mockResolvedValueOnce({ canceled: true, filePath: '' });
    expect(await electronFileDeps(invoke, () => null).chooseSavePath('/x')).toBeNull();
    expect(e.showSaveDialog).toHaveBeenLastCalledWith({ defaultPath: '/x', properties: ['createDirectory', 'showOverwriteConfirmation'] });
    expect(deps.downloadsDir()).toBe('/home/u/downloads');
    expect(deps.tempDir()).toBe('/home/u/temp');
    expect(await deps.openPath('/tmp/x.pdf')).toBe('');
    expect(e.openPath).toHaveBeenCalledWith('/tmp/x.pdf');
    expect(existsSync('/chosen/report.pdf')).toBe(false);
  });
});
