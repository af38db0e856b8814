/**
 * The unread count on the Windows taskbar. Windows has no count badge (app.setBadgeCount is macOS
 * and Linux only); what it has is an overlay icon drawn on the taskbar button
 * (BrowserWindow.setOverlayIcon, 16×16 px). This draws that icon as raw pixels — a filled circle and
 * the count in a 3×5 pixel font — so main needs no canvas and the drawing is tested as data.
 */

/** 3×5 glyphs, one string per row, '#' = ink. */
const GLYPHS: Record<string, readonly string[]> = {
  '0': ['###', '#.#', '#.#', '#.#', '###'],
  '1': ['.#.', '##.', '.#.', '.#.', '###'],
  '2': ['###', '..#', '###', '#..', '###'],
  '3': ['###', '..#', '.##', '..#', '###'],
  '4': ['#.#', '#.#', '###', '..#', '..#'],
  '5': ['###', '#..', '###', '..#', '###'],
  '6': ['###', '#..', '###', '#.#', '###'],
  '7': ['###', '..#', '.#.', '.#.', '.#.'],
  '8': ['###', '#.#', '###', '#.#', '###'],
  '9': ['###', '#.#', '###', '..#', '###'],
  '+': ['...', '.#.', '###', '.#.', '...'],
};

export const BADGE_SIZE = 16;

/** What the badge says: the count up to 99, then "99+"; null for none (no overlay). */
export function badgeText(count: number): string | null {
  if (!Number.isFinite(count) || count <= 0) return null;
  return count > 99 ? '99+' : String(Math.floor(count));
}

/** Which pixels are circle and which are text, as rows of '.', 'o' (circle) and '#' (text). */
export function badgeMask(text: string): string[] {
  const size = BADGE_SIZE;
  const rows = Array.from({ length: size }, (_, y) =>
    Array.from({ length: size }, (_, x) => {
      const dx = x + 0.5 - size / 2;
      const dy = y + 0.5 - size / 2;
      return dx * dx + dy * dy <= (size / 2) * (size / 2) ? 'o' : '.';
    }),
  );
  const glyphs = [...text].map((c) => GLYPHS[c]).filter((g): g is readonly string[] => g !== undefined);
  const width = glyphs.length * 3 + Math.max(0, glyphs.length - 1); // one column between glyphs
  const left = Math.floor((size - width) / 2);
  const top = Math.floor((size - 5) / 2);
  glyphs.forEach((glyph, i) => {
    glyph.forEach((line, gy) => {
      [...line].forEach((cell, gx) => {
        if (cell === '#') (rows[top + gy] as string[])[left + i * 4 + gx] = '#';
      });
    });
  });
  return rows.map((r) => r.join(''));
}

/**
 * The overlay as a 16×16 BGRA bitmap for nativeImage.createFromBitmap: a red (#d93025) disc with
 * white digits, transparent outside the disc.
 */
export function badgeBitmap(text: string): Buffer {
  const mask = badgeMask(text);
  const out = Buffer.alloc(BADGE_SIZE * BADGE_SIZE * 4);
  mask.forEach((row, y) => {
    [...row].forEach((cell, x) => {
      const i = (y * BADGE_SIZE + x) * 4;
      if (cell === 'o') out.set([0x25, 0x30, 0xd9, 0xff], i);
      else if (cell === '#') out.set([0xff, 0xff, 0xff, 0xff], i);
    });
  });
  return out;
}

/** The accessible description Windows reads for the overlay. */
export const badgeDescription = (count: number): string => (count === 1 ? '1 unread message' : `${count} unread messages`);

export interface BadgeTarget {
  setBadgeCount(count: number): void;
  /** BrowserWindow.setOverlayIcon on every window, with the bitmap as a 16×16 nativeImage (null: none). */
  setOverlay(bitmap: Buffer | null, description: string): void;
}

/** The unread count where the platform shows one: the dock/launcher badge, or the Windows taskbar overlay. */
export function showUnreadCount(count: number, platform: NodeJS.Platform, target: BadgeTarget): void {
  if (platform !== 'win32') {
    target.setBadgeCount(Math.max(0, count));
    return;
  }
  const text = badgeText(count);
  target.setOverlay(text === null ? null : badgeBitmap(text), text === null ? '' : badgeDescription(count));
}
