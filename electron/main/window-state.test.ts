import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultWindowSize, loadWindowState, parseWindowState, restoreBounds, saveWindowState, type Rect } from './window-state.js';

const laptop: Rect = { x: 0, y: 0, width: 1440, height: 875 };
const external: Rect = { x: 1440, y: -200, width: 2560, height: 1415 };

describe('restoreBounds', () => {
  it('uses the default size (centred by Electron) when nothing was saved', () => {
    expect(restoreBounds(null, [laptop])).toEqual(defaultWindowSize);
  });

  it('keeps saved bounds that are on a display', () => {
    const bounds = { x: 100, y: 50, width: 1000, height: 700 };
    expect(restoreBounds({ bounds, maximized: false }, [laptop])).toEqual(bounds);
    const there = { x: 2000, y: 0, width: 1600, height: 1000 };
    expect(restoreBounds({ bounds: there, maximized: false }, [laptop, external])).toEqual(there);
  });

  it('brings back a window left on a display that is gone', () => {
    const there = { x: 2000, y: 0, width: 1600, height: 1000 };
    expect(restoreBounds({ bounds: there, maximized: false }, [laptop])).toEqual({ x: 0, y: 0, width: 1440, height: 875 });
  });

  it('shrinks a window larger than its display, never below the minimum size', () => {
    expect(restoreBounds({ bounds: { x: 0, y: 0, width: 5000, height: 3000 }, maximized: false }, [laptop])).toEqual({
      x: 0,
      y: 0,
      width: 1440,
      height: 875,
    });
    const tiny: Rect = { x: 0, y: 0, width: 500, height: 300 };
    expect(restoreBounds({ bounds: { x: 0, y: 0, width: 400, height: 200 }, maximized: false }, [tiny])).toMatchObject({
      width: 640,
      height: 400,
    });
  });

  it('pulls a title bar above the top of the screen back down', () => {
    expect(restoreBounds({ bounds: { x: 100, y: -500, width: 800, height: 600 }, maximized: false }, [laptop])).toEqual({
      x: 100,
      y: 0,
      width: 800,
      height: 600,
    });
  });

  it('keeps a window spanning two displays, and one partly off screen whose title bar can be grabbed', () => {
    const spanning = { x: 1400, y: 100, width: 800, height: 600 };
    expect(restoreBounds({ bounds: spanning, maximized: false }, [laptop, { ...external, y: 0 }])).toEqual(spanning);
    const partly = { x: 1300, y: 100, width: 800, height: 600 };
    expect(restoreBounds({ bounds: partly, maximized: false }, [laptop])).toEqual(partly);
  });

  it('moves a window whose title bar is (almost) off screen back inside', () => {
    expect(restoreBounds({ bounds: { x: 1420, y: 100, width: 800, height: 600 }, maximized: false }, [laptop])).toEqual({
      x: 640,
      y: 100,
      width: 800,
      height: 600,
    });
  });

  it('uses the defaults with no display information', () => {
    expect(restoreBounds({ bounds: { x: 1, y: 1, width: 900, height: 700 }, maximized: true }, [])).toEqual(defaultWindowSize);
  });
});

describe('parseWindowState', () => {
  it.each([
    null,
    5,
    'x',
    {},
    { bounds: { x: 0, y: 0, width: 0, height: 10 } },
    { bounds: { x: 'a', y: 0, width: 10, height: 10 } },
    { bounds: { x: 0, y: 0, width: 1e9, height: 10 } },
  ])('refuses %j', (value) => {
    expect(parseWindowState(value)).toBeNull();
  });

  it('reads a saved state, rounding', () => {
    expect(parseWindowState({ bounds: { x: 1.4, y: 2, width: 800.6, height: 600 }, maximized: true })).toEqual({
      bounds: { x: 1, y: 2, width: 801, height: 600 },
      maximized: true,
    });
  });
});

describe('window-state.json', () => {
  it('round-trips, and a damaged file means defaults', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tegami-window-'));
    try {
      const file = path.join(dir, 'profile', 'window-state.json');
      expect(await loadWindowState(file)).toBeNull();
      const state = { bounds: { x: 10, y: 20, width: 900, height: 700 }, maximized: false };
      await saveWindowState(file, state);
      expect(await loadWindowState(file)).toEqual(state);
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(state);
      await writeFile(file, '{ nope');
      expect(await loadWindowState(file)).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
