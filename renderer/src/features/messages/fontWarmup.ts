import { useEffect } from 'react';

/**
 * The first frame that shows a message row with text the list's first font has no glyphs for
 * (Japanese names and subjects, in regular and in bold for unread rows) makes Chromium look up and
 * load the fallback fonts inside that frame's layout: each family of the font stack is matched
 * (through the browser process on Linux), the CJK font is opened and its render style read. In the
 * renderer benchmark this made the first folder open's layout take 136 ms (later opens 12-37 ms), so
 * the first open took 155-260 ms against 50-80 ms for the next ones.
 *
 * Once the app is idle after starting, two hidden rows (read and unread) with such text are laid out
 * and removed again: the fonts are then known to the renderer before the user opens a folder.
 */

/** Latin, digits and CJK (kana, kanji, hangul), as in senders, subjects and the date and size columns. */
const SAMPLE = {
  from: 'Tegami 田中 太郎 経理部 山田 花子',
  subject: 'Re: 会議の議事録 請求書のご案内 出張の予定 メール 添付 確認 한국어 中文',
  snippet: ' — 同期 検索 offline sync 0123456789',
  date: '2026年11月28日 23:59',
  size: '1,234 KB',
};

let warmed = false;

function row(className: string): HTMLElement {
  const el = document.createElement('div');
  el.className = className;
  const cell = (cls: string, text: string) => {
    const c = document.createElement('div');
    c.className = cls;
    c.textContent = text;
    return c;
  };
  const subject = document.createElement('div');
  subject.className = 'col-subject';
  const s = document.createElement('span');
  s.className = 'subject';
  s.textContent = SAMPLE.subject;
  const snippet = document.createElement('span');
  snippet.className = 'snippet';
  snippet.textContent = SAMPLE.snippet;
  subject.append(s, snippet);
  el.append(cell('col-status', ''), cell('col-from', SAMPLE.from), subject, cell('col-date', SAMPLE.date), cell('col-size', SAMPLE.size));
  return el;
}

/** Lays out hidden sample rows once (synchronously), so that the fonts they need are loaded. */
export function warmListFonts(parent: HTMLElement = document.body): void {
  if (warmed) return;
  warmed = true;
  const box = document.createElement('div');
  box.className = 'list-font-warmup';
  box.setAttribute('aria-hidden', 'true');
  box.append(row('msg-row unread'), row('msg-row read'));
  parent.append(box);
  // Reading a layout value lays the rows out now (text shaping picks and loads the fonts).
  void box.offsetHeight;
  box.remove();
}

/** Warms the message list's fonts once the page is idle (at most 2 s after mounting). */
export function useListFontWarmup(): void {
  useEffect(() => {
    if (warmed) return;
    if (typeof requestIdleCallback === 'function') {
      const handle = requestIdleCallback(() => warmListFonts(), { timeout: 2000 });
      return () => cancelIdleCallback(handle);
    }
    const timer = setTimeout(() => warmListFonts(), 500);
    return () => clearTimeout(timer);
  }, []);
}
