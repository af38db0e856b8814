/**
 * The main window's size and position, remembered in `<userData>/window-state.json` and restored
 * clamped to the displays that exist now (a monitor may have been unplugged since).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Rect;
  maximized: boolean;
}

export const defaultWindowSize = { width: 1200, height: 800 } as const;
export const minimumWindowSize = { width: 640, height: 400 } as const;
/** At least this much of the title bar must be on a display for the user to grab it. */
const grabbable = 64;

function isFiniteInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < 1e6;
}

/** Parses the saved JSON; anything malformed is null (then the defaults apply). */
export function parseWindowState(value: unknown): WindowState | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as { bounds?: Partial<Record<keyof Rect, unknown>>; maximized?: unknown };
  const b = v.bounds;
  if (typeof b !== 'object' || b === null) return null;
  if (!isFiniteInt(b.x) || !isFiniteInt(b.y) || !isFiniteInt(b.width) || !isFiniteInt(b.height)) return null;
  if (b.width <= 0 || b.height <= 0) return null;
  return {
    bounds: { x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height) },
    maximized: v.maximized === true,
  };
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * Where to open the window: the saved bounds when their title bar is reachable on one of
 * `workAreas` (screen.getAllDisplays()'s work areas), else moved and shrunk onto the display it
 * overlapped most (or the first, the primary). No saved state: the default size, centred by Electron.
 */
export function restoreBounds(saved: WindowState | null, workAreas: readonly Rect[]): Partial<Rect> & { width: number; height: number } {
  const primary = workAreas[0];
  if (saved === null || primary === undefined) return { ...defaultWindowSize };
  const b = saved.bounds;
  const titleBar: Rect = { x: b.x, y: b.y, width: b.width, height: Math.min(b.height, 32) };
  const reachable = workAreas.some(
    (area) => overlap(titleBar, area) >= Math.min(grabbable, b.width) * Math.min(32, b.height) && b.y >= area.y,
  );
  let area = primary;
  let best = 0;
  for (const candidate of workAreas) {
    const o = overlap(b, candidate);
    if (o > best) {
      best = o;
      area = candidate;
    }
  }
  const width = Math.max(minimumWindowSize.width, Math.min(b.width, area.width));
  const height = Math.max(minimumWindowSize.height, Math.min(b.height, area.height));
  if (reachable && width === b.width && height === b.height) return { ...b };
  // Shift it inside the chosen display's work area.
  const x = Math.min(Math.max(b.x, area.x), area.x + Math.max(0, area.width - width));
  const y = Math.min(Math.max(b.y, area.y), area.y + Math.max(0, area.height - height));
  return { x, y, width, height };
}

export async function loadWindowState(file: string): Promise<WindowState | null> {
  try {
    return parseWindowState(JSON.parse(await readFile(file, 'utf8')));
  } catch {
    return null; // missing or damaged: defaults
  }
}

export async function saveWindowState(file: string, state: WindowState): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}
