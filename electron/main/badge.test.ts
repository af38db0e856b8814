import { describe, expect, it, vi } from 'vitest';
import { BADGE_SIZE, badgeBitmap, badgeMask, badgeText, showUnreadCount } from './badge.js';

describe('unread badge', () => {
  it('says the count up to 99, then 99+, and nothing for none', () => {
    expect([0, -3, Number.NaN, 1, 42, 99, 100, 12_345].map(badgeText)).toEqual([null, null, null, '1', '42', '99', '99+', '99+']);
  });

  it('draws the digits in white on a disc, centred', () => {
    const mask = badgeMask('7');
    expect(mask).toHaveLength(BADGE_SIZE);
    expect(mask.every((row) => row.length === BADGE_SIZE)).toBe(true);
    expect(mask.slice(5, 10)).toEqual(['oooooo###ooooooo', 'oooooooo#ooooooo', 'ooooooo#oooooooo', 'ooooooo#oooooooo', 'ooooooo#oooooooo']);
    expect(mask[0]).toBe('.....oooooo.....'); // transparent corners
    const ink = (text: string) => badgeMask(text).join('').split('#').length - 1;
    expect(ink('88')).toBe(2 * 13);
    expect(ink('99+')).toBe(2 * 12 + 5);
  });

  it('is a BGRA bitmap: red disc, white ink, transparent outside', () => {
    const bitmap = badgeBitmap('5');
    expect(bitmap).toHaveLength(BADGE_SIZE * BADGE_SIZE * 4);
    const pixel = (x: number, y: number) => [...bitmap.subarray((y * BADGE_SIZE + x) * 4, (y * BADGE_SIZE + x) * 4 + 4)];
    expect(pixel(0, 0)).toEqual([0, 0, 0, 0]);
    expect(pixel(8, 1)).toEqual([0x25, 0x30, 0xd9, 0xff]);
    expect(pixel(6, 5)).toEqual([0xff, 0xff, 0xff, 0xff]);
  });

  it('uses the overlay icon on Windows and the badge count elsewhere', () => {
    const target = { setBadgeCount: vi.fn(), setOverlay: vi.fn() };
    showUnreadCount(3, 'win32', target);
    showUnreadCount(0, 'win32', target);
    expect(target.setBadgeCount).not.toHaveBeenCalled();
    expect(target.setOverlay.mock.calls[0]?.[0]).toEqual(badgeBitmap('3'));
    expect(target.setOverlay.mock.calls[0]?.[1]).toBe('3 unread messages');
    expect(target.setOverlay.mock.calls[1]).toEqual([null, '']);
    showUnreadCount(4, 'darwin', target);
    showUnreadCount(2, 'linux', target);
    expect(target.setBadgeCount.mock.calls).toEqual([[4], [2]]);
    expect(target.setOverlay).toHaveBeenCalledTimes(2);
  });
});
