import { z } from 'zod';
import { Id } from './account.js';
import { PartNumber } from './body.js';

/**
 * Handing a message's attachment (or its whole source, as .eml) to the user: the desktop app saves
 * or opens it (`files.save`, `files.open`, carried out by the main process); browser mode downloads
 * it from its loopback server. The pure decisions both share live here.
 */

/** The key of a message's whole source (RFC 5322, saved as .eml), beside its MIME part numbers. */
export const SOURCE = 'source';

export const FileRef = z.object({
  id: Id,
  part: z.union([PartNumber, z.literal(SOURCE)]),
  /** The name the user sees (the attachment's filename); made safe before it touches a disk. */
  filename: z.string().max(1000).optional(),
});
export type FileRef = z.infer<typeof FileRef>;

/** Where the file went; null when the user cancelled the save dialog. */
export const SavedFile = z.object({ path: z.string().nullable() });
export type SavedFile = z.infer<typeof SavedFile>;

const MAX_NAME = 180;

/**
 * A file name that is safe on every platform: no directories, no control characters, none of
 * Windows' reserved characters or device names, no leading dots or trailing dots/spaces, at most
 * 180 characters (the extension kept). `fallback` when nothing is left.
 */
export function safeFilename(name: string | null | undefined, fallback: string): string {
  let base = (name ?? '').normalize('NFC');
  // Only the last path component: a name like "../../.bashrc" or "C:\\x\\evil.exe" loses its directories.
  base = base.split(/[/\\]/).pop() ?? '';
  base = base
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[<>:"|?*]/g, '_')
    .trim()
    .replace(/^\.+/, '')
    .replace(/[. ]+$/, '');
  if (/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i.test(base)) base = `_${base}`;
  if (base.length > MAX_NAME) {
    const dot = base.lastIndexOf('.');
    const ext = dot > 0 && base.length - dot <= 16 ? base.slice(dot) : '';
    base = [...base.slice(0, base.length - ext.length)].slice(0, MAX_NAME - ext.length).join('') + ext;
  }
  return base === '' ? fallback : base;
}

/** The fallback name of a part: `attachment-1.2`, or `message.eml` for the source. */
export function defaultFilename(part: string): string {
  return part === SOURCE ? 'message.eml' : `attachment-${part}`;
}

/** RFC 6266 / RFC 8187: an ASCII `filename` for old clients and the exact name as `filename*=UTF-8''…`. */
export function contentDisposition(filename: string): string {
  const ascii = [...filename].map((c) => (c >= ' ' && c <= '~' && c !== '"' && c !== '\\' && c !== '%' ? c : '_')).join('');
  const encoded = encodeURIComponent(filename).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** Types a browser would run or render as a document: served as bytes, never as themselves. */
const ACTIVE_TYPE =
  /^(text\/html|application\/xhtml\+xml|image\/svg\+xml|text\/xml|application\/xml|text\/xsl|application\/xslt\+xml|text\/(x-)?javascript|application\/(x-)?(java|ecma)script|text\/ecmascript|multipart\/.*|.*\+xml)$/;

/** The Content-Type to serve a part with: its own (a well-formed, passive one), else application/octet-stream. */
export function downloadContentType(contentType: string | null | undefined): string {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(type) || ACTIVE_TYPE.test(type)) return 'application/octet-stream';
  return type;
}

/**
 * Extensions the desktop app will not "Open" (the OS would run them, or run code in them): such
 * files can still be saved. Deliberately broad; the user can open a saved file themselves.
 */
const RUNNABLE = new Set(
  (
    'exe com scr pif bat cmd ps1 psm1 psd1 vbs vbe js jse wsf wsh hta msi msp mst cpl jar app command sh bash zsh csh ksh run bin ' +
    'desktop appimage deb rpm pkg dmg reg lnk url inf scf iso img vhd vhdx py pyw rb pl php msc gadget application appref-ms ' +
    'html htm xhtml svg shtml mht mhtml xml xsl docm xlsm pptm dotm xltm potm ppsm sldm xlam ppam'
  ).split(' '),
);

/** Whether "Open" may hand this file to the OS's default application. */
export function openable(filename: string): boolean {
  const dot = filename.lastIndexOf('.');
  if (dot <= 0) return false; // no extension: the OS would guess (or run it)
  return !RUNNABLE.has(filename.slice(dot + 1).toLowerCase());
}
