import type { Address } from '../../../../shared/domain/message.js';

/** Today: the time; this year: day and month; older: the full date. */
export function listDate(iso: string, locale: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const sameDay = d.toDateString() === now.toDateString();
  if (sameDay) return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(d);
  if (d.getFullYear() === now.getFullYear()) return new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric' }).format(d);
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric' }).format(d);
}

export function fullDate(iso: string, locale: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short' }).format(d);
}

export function byteSize(n: number | null, locale: string): string {
  if (n === null) return '';
  const f = (v: number, unit: string) => `${new Intl.NumberFormat(locale, { maximumFractionDigits: v < 10 ? 1 : 0 }).format(v)} ${unit}`;
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
