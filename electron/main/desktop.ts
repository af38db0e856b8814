/**
 * Small desktop-integration decisions, as pure functions: mailto: hand-over, wake-up debouncing,
 * the tray's words, and events main sends the renderer outside the engine.
 */
import { isEventName } from '../../shared/ipc/contract.js';
import { ipcChannels } from '../../shared/ipc/bridge.js';
import type { EventSinkLike } from './ipc-relay.js';
import { externalUrlAllowed } from './security.js';

/**
 * The mailto: URL in a command line (the OS starts `tegami mailto:…` on Windows and Linux; a second
 * instance passes its argv to the first), or null. Validated like any external URL.
 */
export function findMailtoUrl(argv: readonly string[]): string | null {
  for (const arg of argv) {
    if (/^mailto:/i.test(arg) && externalUrlAllowed(arg)) return arg;
  }
  return null;
}

/** The addresses of a mailto: URL, for the notice (RFC 6068: comma-separated, percent-encoded). */
export function mailtoRecipients(url: string): string {
  try {
    const u = new URL(url);
    return decodeURIComponent(u.pathname)
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a !== '')
      .join(', ')
      .slice(0, 300);
  } catch {
    return '';
  }
}

export const composeUnavailableMessage = 'Writing mail is not available yet';

/** What `dialog.showMessageBox` shows for a mailto: link or "New Message" until compose exists. */
export function composeUnavailableDialog(url: string | null) {
  const to = url === null ? '' : mailtoRecipients(url);
  return {
    type: 'info',
    title: 'Tegami',
    message: composeUnavailableMessage,
    detail:
      (to === '' ? '' : `You asked to write to ${to}. `) +
      'This version of Tegami reads, searches and files mail; writing messages will come in a later version.',
    buttons: ['OK'],
    defaultId: 0,
    noLink: true,
  } as const;
}

/**
 * Coalesces bursts into one call after `delayMs` (resume and unlock-screen usually arrive together;
 * a flapping network fires several times): the engine reconnects every account once.
 */
export function debounce(run: () => void, delayMs: number): { (): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const call = () => {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      run();
    }, delayMs);
  };
  call.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  return call;
}

/** The tray icon's tooltip (and the macOS menu bar title when there is unread mail). */
export function trayTooltip(unread: number): string {
  if (unread <= 0) return 'Tegami — no unread mail';
  return `Tegami — ${unread} unread ${unread === 1 ? 'message' : 'messages'}`;
}

/**
 * Sends an app-level event (not from the engine) to our windows — only when the contract knows
 * its name, so the renderer never receives an event it cannot parse. Returns whether it was sent.
 */
export function sendAppEvent(sinks: Iterable<EventSinkLike>, name: string, payload: unknown): boolean {
  if (!isEventName(name)) return false;
  for (const sink of sinks) {
    if (!sink.isDestroyed()) sink.send(ipcChannels.event, name, payload);
  }
  return true;
}
