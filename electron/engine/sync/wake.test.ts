import { describe, expect, it } from 'vitest';
import { waitForWake } from './wake.js';

describe('waitForWake', () => {
  it('hands a poke to the loop waiting for it', async () => {
    const w = waitForWake();
    const waiting = w.wait(60_000);
    w.poke('prefetch');
    expect(await waiting).toBe('prefetch');
  });

  it('keeps the strongest poke made while nobody waits: a stop is never lost to a later request', async () => {
    const w = waitForWake();
    w.poke('stop');
    w.poke('request');
    expect(await w.wait(60_000)).toBe('stop');
    w.poke('request');
    w.poke('wake');
    expect(await w.wait(60_000)).toBe('wake');
    // Consumed: the next wait sleeps until its timer.
    expect(await w.wait(5)).toBe('poll');
  });
});
