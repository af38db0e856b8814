import { describe, expect, it } from 'vitest';
import { mbsyncConfig } from './mbsync.js';

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
