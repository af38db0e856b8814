import type { Address } from '../../../../shared/domain/message.js';

// Intl formatters are costly to construct (tens of microseconds each): the list formats three values
// per row, so they are made once per locale and kind and reused.
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormats = new Map<string, Intl.NumberFormat>();

function dateFormat(locale: string, kind: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${kind}`;
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    dateFormats.set(key, f);
  }
  return f;
}

function numberFormat(locale: string, digits: number): Intl.NumberFormat {
  const key = `${locale}|${digits}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, { maximumFractionDigits: digits });
    numberFormats.set(key, f);
  }
  return f;
}

/** A count as the locale writes it (2,000; 2.000). */
export const formatCount = (n: number, locale: string): string => numberFormat(locale, 0).format(n);

/** Today: the time; this year: day and month; older: the full date. */
export function listDate(iso: string, locale: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const sameDay = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  if (sameDay) return dateFormat(locale, 'time', { hour: 'numeric', minute: '2-digit' }).format(d);
  if (d.getFullYear() === now.getFullYear()) return dateFormat(locale, 'day', { month: 'short', day: 'numeric' }).format(d);
  return dateFormat(locale, 'date', { year: 'numeric', month: 'short', day: 'numeric' }).format(d);
}

/** Date and time in the locale's short form (the list's date tooltip; what `toLocaleString` shows). */
export function shortDateTime(iso: string, locale: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const options: Intl.DateTimeFormatOptions = {
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  };
  return dateFormat(locale, 'datetime', options).format(d);
}

export function fullDate(iso: string, locale: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateFormat(locale, 'full', { dateStyle: 'full', timeStyle: 'short' }).format(d);
}

export function byteSize(n: number | null, locale: string): string {
  if (n === null) return '';
  const f = (v: number, unit: string) => `${numberFormat(locale, v < 10 ? 1 : 0).format(v)} ${unit}`;
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return f(n / 1024, 'KB');
  if (n < 1024 * 1024 * 1024) return f(n / 1024 / 1024, 'MB');
  return f(n / 1024 / 1024 / 1024, 'GB');
}

export function addressText(a: Address): string {
  return a.name ? `${a.name} <${a.address}>` : a.address;
}

export function addressLabel(a: Address | null, fallback: string): string {
  if (!a) return fallback;
  return a.name || a.address || fallback;
}
