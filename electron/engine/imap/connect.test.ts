import { describe, expect, it } from 'vitest';
import { classifyImapError, imapOptions, serverWords } from './connect.js';

const target = { host: 'imap.example.com', port: 993, user: 'alice' };
const err = (props: Record<string, unknown>, message = 'x') => Object.assign(new Error(message), props);

describe('serverWords', () => {
  it('drops the timing Dovecot appends to a tagged response, and nothing else', () => {
    expect(serverWords("Mailbox doesn't exist: Gone (0.001 + 0.000 secs).")).toBe("Mailbox doesn't exist: Gone");
    expect(serverWords('Permission denied (0.002 + 0.000 + 0.001 secs).')).toBe('Permission denied');
    expect(serverWords('Quota exceeded (mailbox for user is full)')).toBe('Quota exceeded (mailbox for user is full)');
    expect(serverWords(' (0.001 + 0.000 secs).')).toBeUndefined();
    expect(serverWords(undefined)).toBeUndefined();
    expect(classifyImapError(err({ responseStatus: 'NO', responseText: 'Locked (0.001 + 0.000 secs).' }), target).info).toMatchObject({
      serverText: 'Locked',
      message: expect.stringMatching(/Locked$/),
    });
  });
});

describe('classifyImapError', () => {
  it.each([
    [err({ authenticationFailed: true, responseText: 'Authentication failed.' }), 'AUTH_FAILED'],
    [err({ code: 'ECONNREFUSED' }), 'CONNECTION_REFUSED'],
    [err({ code: 'ENOTFOUND' }), 'HOST_NOT_FOUND'],
    [err({ code: 'CONNECT_TIMEOUT' }), 'TIMEOUT'],
    [err({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 'TLS_UNTRUSTED'],
    [err({ code: 'X', cause: err({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }) }), 'TLS_UNTRUSTED'],
    [err({ tlsFailed: true }, 'Server does not support STARTTLS'), 'STARTTLS_UNAVAILABLE'],
    [err({ code: 'ERR_SSL_WRONG_VERSION_NUMBER' }), 'TLS_FAILED'],
    [err({ code: 'ECONNRESET' }), 'NETWORK'],
    [err({ responseStatus: 'NO', responseText: 'Mailbox is locked' }), 'SERVER_ERROR'],
  ])('classifies %s as %s', (error, code) => {
    expect(classifyImapError(error, target).code).toBe(code);
  });

  it('names the user in an authentication failure and keeps the server words', () => {
    const e = classifyImapError(err({ authenticationFailed: true, responseText: '[AUTHENTICATIONFAILED] Authentication failed.' }), target);
    expect(e.message).toContain('“alice”');
    expect(e.info.serverText).toBe('[AUTHENTICATIONFAILED] Authentication failed.');
  });

  it('says a port that sent no greeting over a connection without TLS may expect implicit TLS', () => {
    const silent = err({ code: 'GREETING_TIMEOUT' }, 'Failed to receive greeting from server in required time');
    for (const security of ['starttls', 'none'] as const) {
      const e = classifyImapError(silent, { ...target, security });
      expect(e.code).toBe('NO_GREETING');
      expect(e.message).toBe(
        'The server at imap.example.com:993 sent no IMAP greeting. This port may expect implicit TLS: choose TLS (usually port 993).',
      );
    }
    // Over TLS that advice cannot help: a plain timeout.
    expect(classifyImapError(silent, { ...target, security: 'tls' }).code).toBe('TIMEOUT');
  });

  it('names host and port when nothing answers', () => {
    expect(classifyImapError(err({ code: 'ECONNREFUSED' }), target).message).toContain('imap.example.com:993');
  });
});

describe('imapOptions', () => {
  it('requires STARTTLS for a STARTTLS account (never opportunistic)', () => {
    const o = imapOptions({ ...target, port: 143, security: 'starttls', trustedCertificate: null, trustedCertificatePem: null }, 'pw');
    expect(o.secure).toBe(false);
    expect(o.doSTARTTLS).toBe(true);
  });
  it('uses implicit TLS for a TLS account and cleartext only when chosen', () => {
    expect(imapOptions({ ...target, security: 'tls', trustedCertificate: null, trustedCertificatePem: null }, 'pw').secure).toBe(true);
    const none = imapOptions({ ...target, security: 'none', trustedCertificate: null, trustedCertificatePem: null }, 'pw');
    expect(none.secure).toBe(false);
    expect(none.doSTARTTLS).toBe(false);
  });
  it('waits a few seconds for the greeting, not the whole connection timeout', () => {
    const o = imapOptions({ ...target, security: 'starttls', trustedCertificate: null, trustedCertificatePem: null }, 'pw');
    expect(o.greetingTimeout).toBeLessThanOrEqual(5_000);
    expect(o.greetingTimeout).toBeLessThan(o.connectionTimeout ?? Infinity);
  });
  it('never logs through the default logger', () => {
    expect(imapOptions({ ...target, security: 'tls', trustedCertificate: null, trustedCertificatePem: null }, 'pw').logger).toBe(false);
  });
  it('pins a trusted certificate by fingerprint on top of the system roots', () => {
    const o = imapOptions({ ...target, security: 'tls', trustedCertificate: 'AB:CD', trustedCertificatePem: 'PEM' }, 'pw');
    expect(Array.isArray(o.tls?.ca) && o.tls.ca.includes('PEM')).toBe(true);
    const check = o.tls?.checkServerIdentity;
    expect(check?.('imap.example.com', { fingerprint256: 'AB:CD' } as never)).toBeUndefined();
  });
});
