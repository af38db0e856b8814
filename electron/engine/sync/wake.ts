import type { ImapSession } from '../imap/session.js';

/** Why a connection loop woke up. */
export type WakeReason = 'change' | 'poll' | 'wake' | 'closed' | 'stop' | 'request' | 'prefetch';

/** Exponential backoff with jitter: 1 s, 2 s, 4 s … capped (and a quarter of random spread). */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 20));
  return Math.round(base * (0.75 + random() * 0.25));
}

/** The weaker reasons a poke may not overwrite while it waits to be seen (a stop is never lost). */
const rank: Record<WakeReason, number> = { poll: 0, change: 1, prefetch: 2, request: 3, closed: 4, wake: 5, stop: 6 };

/**
 * The waiting point of a connection loop: it sleeps until a poke, a timer, or (while idling) a
 * change the server reports or the connection closing. A poke while nobody waits is kept for the
 * next wait (the strongest one, so a stop or wake is never lost to a later request).
 */
export function waitForWake() {
  let signal: ((reason: WakeReason) => void) | null = null;
  let pending: WakeReason | null = null;
  return {
    poke(reason: WakeReason): void {
      if (signal) signal(reason);
      else if (pending === null || rank[reason] > rank[pending]) pending = reason;
    },
    wait(ms: number, session?: ImapSession): Promise<WakeReason> {
      if (pending) {
        const reason = pending;
        pending = null;
        return Promise.resolve(reason);
      }
      return new Promise<WakeReason>((resolve) => {
        const cleanups: (() => void)[] = [];
        const done = (reason: WakeReason) => {
          for (const c of cleanups) c();
          signal = null;
          resolve(reason);
        };
        const timer = setTimeout(() => done('poll'), ms);
        cleanups.push(() => clearTimeout(timer));
        signal = done;
        if (session) {
          const client = session.client;
          const onChange = () => done('change');
          const onClose = () => done('closed');
          client.on('exists', onChange);
          client.on('expunge', onChange);
          client.on('flags', onChange);
          client.on('close', onClose);
          cleanups.push(() => {
            client.off('exists', onChange);
            client.off('expunge', onChange);
            client.off('flags', onChange);
            client.off('close', onClose);
          });
        }
      });
    },
  };
}
