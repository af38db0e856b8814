import { existsSync, statfsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mbsyncConfig, mbsyncWorkDir } from './mbsync.js';

describe('mbsyncConfig', () => {
  it('pulls new mail of one folder over IMAPS into a Maildir, trusting the given certificate', () => {
    const c = mbsyncConfig({ port: 10993, user: 'alice', password: 'pw', certFile: '/t/cert.pem', maildir: '/t/md', folder: 'Bulk' });
    expect(c).toContain('Port 10993');
    expect(c).toContain('SSLType IMAPS');
    expect(c).toContain('CertificateFile /t/cert.pem');
    expect(c).toContain('Path /t/md/');
    expect(c).toMatch(/Channel bench\nFar :bench-far:\nNear :bench-near:\nPatterns Bulk\nSync Pull New\n/);
  });
});

describe('mbsyncWorkDir', () => {
  const disk = () => ({ dir: '/on/disk', remove: () => undefined });
  it('puts the Maildir on tmpfs (/dev/shm) when it has room, else on the disk', () => {
    expect(mbsyncWorkDir(1e12, disk)).toMatchObject({ dir: '/on/disk', tmpfs: false });
    const shmIsTmpfs = existsSync('/dev/shm') && statfsSync('/dev/shm').type === 0x01021994;
    const small = mbsyncWorkDir(10, disk);
    try {
      expect(small.tmpfs).toBe(shmIsTmpfs);
      if (small.tmpfs) expect(small.dir.startsWith('/dev/shm/tegami-bench-mbsync-') && existsSync(small.dir)).toBe(true);
    } finally {
      small.remove();
    }
    if (small.tmpfs) expect(existsSync(small.dir)).toBe(false);
  });
});
