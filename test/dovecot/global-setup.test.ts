import { describe, expect, it } from 'vitest';
import { startSeeded } from './global-setup.js';

/** A stand-in for a started Dovecot: records whether it was stopped. */
const fakeServer = (name: string) => {
  const server = {
    name,
    stopped: false,
    stop: async () => void (server.stopped = true),
    logTail: async () => `${name}: imap(alice): Disconnected in APPEND`,
  };
  return server;
};

describe('startSeeded (the integration run’s one seeded Dovecot)', () => {
  it('reports a failed seeding with the server’s log, stops that server and seeds a new one', async () => {
    const servers: Array<ReturnType<typeof fakeServer>> = [];
    const warnings: string[] = [];
    const { server, seeded } = await startSeeded(
      async () => {
        const s = fakeServer(`server ${servers.length + 1}`);
        servers.push(s);
        return s;
      },
      async (s) => {
        if (s.name === 'server 1') throw new Error('Connection not available');
        return { INBOX: 3 };
      },
      { attempts: 2, warn: (r) => warnings.push(r) },
    );
    expect(server.name).toBe('server 2');
    expect(seeded).toEqual({ INBOX: 3 });
    expect(servers.map((s) => s.stopped)).toEqual([true, false]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/attempt 1 of 2\): Error: Connection not available/);
    expect(warnings[0]).toMatch(/server 1: imap\(alice\): Disconnected in APPEND/);
  });

  it('throws the last failure with its report once every attempt failed, leaving no server running', async () => {
    const servers: Array<ReturnType<typeof fakeServer>> = [];
    const failing = startSeeded(
      async () => {
        const s = fakeServer(`server ${servers.length + 1}`);
        servers.push(s);
        return s;
      },
      async () => {
        throw new Error('APPEND to Archive failed');
      },
      { attempts: 2, warn: () => undefined },
    );
    await expect(failing).rejects.toThrow(/attempt 2 of 2\): Error: APPEND to Archive failed[\s\S]*server 2: imap/);
    expect(servers.map((s) => s.stopped)).toEqual([true, true]);
  });
});
