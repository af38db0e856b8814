import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  composeUnavailableDialog,
  composeUnavailableMessage,
  debounce,
  findMailtoUrl,
  mailtoRecipients,
  sendAppEvent,
  trayTooltip,
} from './desktop.js';

describe('findMailtoUrl', () => {
  it('finds the mailto: URL the OS passed on the command line', () => {
    expect(findMailtoUrl(['/opt/Tegami/tegami', '--no-sandbox', 'mailto:ann@example.com?subject=Hi'])).toBe(
      'mailto:ann@example.com?subject=Hi',
    );
    expect(findMailtoUrl(['tegami', 'MAILTO:bob@example.com'])).toBe('MAILTO:bob@example.com');
  });

  it.each([
    [['tegami']],
    [['tegami', 'https://example.com']],
    [['tegami', 'mailto://user:pw@evil.example/']],
    [['tegami', `mailto:${'a'.repeat(9000)}`]],
  ])('ignores %j', (argv) => {
    expect(findMailtoUrl(argv)).toBeNull();
  });
});

describe('compose notice', () => {
  it('says plainly that writing mail is not available yet, naming the addressee', () => {
    expect(mailtoRecipients('mailto:ann@example.com,%20bob@example.com?subject=x')).toBe('ann@example.com, bob@example.com');
    const dialog = composeUnavailableDialog('mailto:ann@example.com');
    expect(dialog.message).toBe(composeUnavailableMessage);
    expect(composeUnavailableMessage).toBe('Writing mail is not available yet');
    expect(dialog.detail).toContain('ann@example.com');
    expect(composeUnavailableDialog(null).detail).not.toContain('write to');
  });
});

describe('debounce', () => {
  afterEach(() => vi.useRealTimers());
  it('coalesces resume + unlock-screen into one wake', () => {
    vi.useFakeTimers();
    const wake = vi.fn();
    const call = debounce(wake, 2000);
    call();
    vi.advanceTimersByTime(500);
    call();
    vi.advanceTimersByTime(1999);
    expect(wake).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(wake).toHaveBeenCalledOnce();
    call();
    call.cancel();
    vi.advanceTimersByTime(5000);
    expect(wake).toHaveBeenCalledOnce();
  });
});

describe('trayTooltip', () => {
  it('counts unread mail in words', () => {
    expect([0, 1, 7].map(trayTooltip)).toEqual(['Tegami — no unread mail', 'Tegami — 1 unread message', 'Tegami — 7 unread messages']);
  });
});

describe('sendAppEvent', () => {
  it('sends only events the contract knows, to live windows', () => {
    const live = { isDestroyed: () => false, send: vi.fn() };
    const gone = { isDestroyed: () => true, send: vi.fn() };
    expect(sendAppEvent([live, gone], 'accounts.changed', {})).toBe(true);
    expect(live.send).toHaveBeenCalledExactlyOnceWith('tegami:event', 'accounts.changed', {});
    expect(gone.send).not.toHaveBeenCalled();
    expect(sendAppEvent([live], 'no.such.event', {})).toBe(false);
    expect(live.send).toHaveBeenCalledOnce();
  });
});
