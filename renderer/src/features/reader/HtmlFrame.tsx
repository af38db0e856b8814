import { useEffect, useMemo, useRef, useState } from 'react';
import { useT } from '../../app/settings.js';
import { call } from '../../ipc/client.js';
import { frameDocument, type SafeHtml } from './sanitize.js';

/** Remote images the engine fetched this session (URL → data: URL), so that reopening a message is instant. */
const remoteCache = new Map<string, Promise<string>>();
const REMOTE_CACHE_MAX = 300;

/** One remote image through the engine (`remote.image`): the renderer never goes to the network itself. */
export function remoteImage(url: string): Promise<string> {
  let p = remoteCache.get(url);
  if (!p) {
    p = call('remote.image', { url }).then((r) => `data:${r.contentType};base64,${r.base64}`);
    p.catch(() => remoteCache.delete(url));
    if (remoteCache.size >= REMOTE_CACHE_MAX) remoteCache.delete(remoteCache.keys().next().value ?? '');
    remoteCache.set(url, p);
  }
  return p;
}

/** Base look of mail inside the frame: readable defaults, images never wider than the pane. */
const baseCss = `
html { color-scheme: light; }
body { margin: 0; padding: 16px 20px; font: 14px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans CJK JP', sans-serif;
  color: #1d2129; background: #fff; overflow-wrap: anywhere; }
img { max-width: 100%; height: auto; }
img[data-tegami-cid]:not([src]), img[data-tegami-remote]:not([src]) { display: inline-block; min-width: 24px; min-height: 24px;
  background: repeating-linear-gradient(45deg, #eee 0 6px, #f7f7f7 6px 12px); border: 1px dashed #bbb; }
img:not([src]):not([data-tegami-cid]):not([data-tegami-remote]) { display: none; }
a[data-tegami-href] { color: #2f6fdb; cursor: pointer; }
.tegami-image-failed { display: inline-block; padding: 2px 6px; border: 1px dashed #c66; border-radius: 3px; color: #a33;
  background: #fff6f6; font-size: 12px; }
pre { white-space: pre-wrap; }
`;

/**
 * Sanitized HTML mail in `<iframe sandbox="allow-same-origin">` — never allow-scripts, so nothing in
 * the mail runs; same-origin only so that this component can apply the mail's styles through the
 * CSSOM (the app's CSP, which the srcdoc frame inherits, forbids inline style) and catch link clicks.
 * The frame has its own CSP on top (no network at all unless remote content is allowed).
 */
export function HtmlFrame({
  safe,
  allowRemote,
  images,
}: {
  safe: SafeHtml;
  allowRemote: boolean;
  /** Resolved `cid:` images: Content-ID → data: URL. */
  images: ReadonlyMap<string, string>;
}) {
  const t = useT();
  const frame = useRef<HTMLIFrameElement>(null);
  const [height, setHeight] = useState(200);
  const srcDoc = useMemo(() => frameDocument(safe), [safe]);
  const [loads, setLoads] = useState(0);

  useEffect(() => {
    const doc = loads > 0 ? frame.current?.contentDocument : null;
    const win = doc?.defaultView;
    if (!doc || !win) return;
    for (const el of doc.querySelectorAll<HTMLElement>('[data-tegami-style]')) el.style.cssText = el.dataset.tegamiStyle ?? '';
    const sheets: CSSStyleSheet[] = [];
    for (const css of [baseCss, ...safe.styles]) {
      const sheet = new win.CSSStyleSheet();
      try {
        sheet.replaceSync(css);
      } catch {
        continue;
      }
      sheets.push(sheet);
    }
    doc.adoptedStyleSheets = sheets;
    for (const img of doc.querySelectorAll<HTMLImageElement>('img[data-tegami-cid]')) {
      const url = images.get(img.dataset.tegamiCid ?? '');
      if (url) img.src = url;
      else if (!img.alt) img.alt = t('reader.inlineImage');
    }
    let live = true;
    if (allowRemote)
      for (const img of doc.querySelectorAll<HTMLImageElement>('img[data-tegami-remote]')) {
        const url = img.dataset.tegamiRemote ?? '';
        if (!/^https?:\/\//i.test(url)) continue;
        img.setAttribute('aria-busy', 'true');
        remoteImage(url).then(
          (data) => {
            if (!live) return;
            img.src = data;
            img.removeAttribute('aria-busy');
            img.dataset.tegamiLoaded = 'true';
          },
          () => {
            if (!live) return;
            // A visible note where the image was (an <img> without a source shows nothing, not even
            // its alt text), naming the image by its alt text and its address.
            const note = doc.createElement('span');
            note.className = 'tegami-image-failed';
            note.dataset.tegamiLoaded = 'failed';
            note.textContent = img.alt ? `${t('reader.remoteFailed')}: ${img.alt}` : t('reader.remoteFailed');
            note.title = url;
            img.replaceWith(note);
          },
        );
      }
    const onClick = (e: Event) => {
      const a = (e.target as Element | null)?.closest?.('a');
      if (!a) return;
      e.preventDefault();
      const href = a.getAttribute('data-tegami-href');
      // Opened outside Tegami: Electron hands http(s)/mailto to the system browser; never a window of ours.
      if (href) window.open(href, '_blank', 'noopener,noreferrer');
    };
    doc.addEventListener('click', onClick);
    // Mail wider than the pane scrolls sideways inside the frame: its scrollbar takes height too, so
    // the frame is made that much taller (else a second, inner vertical scrollbar appears).
    const measure = () => {
      const root = doc.documentElement;
      const scrollbar = root.scrollWidth > root.clientWidth ? Math.max(0, win.innerHeight - root.clientHeight) : 0;
      setHeight(Math.max(60, root.scrollHeight + scrollbar));
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(doc.body);
    return () => {
      live = false;
      doc.removeEventListener('click', onClick);
      ro.disconnect();
    };
  }, [loads, safe, images, allowRemote, t]);

  return (
    <iframe
      ref={frame}
      className="html-frame"
      title={t('reader.htmlFrame')}
      sandbox="allow-same-origin"
      referrerPolicy="no-referrer"
      srcDoc={srcDoc}
      style={{ height }}
      data-testid="html-frame"
      onLoad={() => setLoads((n) => n + 1)}
    />
  );
}
