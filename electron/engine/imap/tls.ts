import net from 'node:net';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { CertificateInfo, Security } from '../../../shared/domain/account.js';
import { TegamiError } from '../../../shared/domain/errors.js';

export interface ProbedCertificate {
  info: CertificateInfo;
  /** The chain the server presented, leaf first, as PEM. */
  chainPem: string[];
}

/** Node's codes for "the chain does not lead to a trusted root, or does not name this host". */
const untrustedCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);

export const isUntrustedCertificateCode = (code: unknown): boolean => typeof code === 'string' && untrustedCodes.has(code);

const reasons: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'it was issued by an authority this system does not trust',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its issuer is unknown to this system',
  UNABLE_TO_GET_ISSUER_CERT: 'its issuer is unknown to this system',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its issuer is unknown to this system',
  CERT_UNTRUSTED: 'this system does not trust it',
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: 'it is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'it was issued for another server name',
  HOSTNAME_MISMATCH: 'it was issued for another server name',
};

export const describeCertificateProblem = (code: string | undefined): string =>
  (code && reasons[code]) ?? (code ? `verification failed (${code})` : 'this system does not trust it');

/** SNI must be a host name, never an IP literal (RFC 6066 3). */
export const serverName = (host: string): string | undefined => (net.isIP(host) ? undefined : host);

/**
 * TLS options that accept the server's usual, system-trusted certificate and, in addition, the one
 * certificate the user pinned for this account (compared by SHA-256 fingerprint, so a different
 * certificate with the same name is still refused).
 */
export function pinnedTlsOptions(fingerprint256: string | null, chainPem: string | null): tls.ConnectionOptions {
  if (!fingerprint256 || !chainPem) return {};
  return {
    ca: [...tls.rootCertificates, chainPem],
    // The pinned chain may stop at an intermediate (the server did not send its root).
    allowPartialTrustChain: true,
    checkServerIdentity: (host, cert) => (cert.fingerprint256 === fingerprint256 ? undefined : tls.checkServerIdentity(host, cert)),
  } as tls.ConnectionOptions;
}

/**
 * Connects without credentials and reads the certificate the server presents (through STARTTLS
 * when that is the account's security), so the user can decide whether to trust it.
 */
export async function probeCertificate(
  host: string,
  port: number,
  security: Exclude<Security, 'none'>,
  timeoutMs = 15_000,
): Promise<ProbedCertificate> {
  const socket = await new Promise<tls.TLSSocket>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new TegamiError({ code: 'TIMEOUT', message: `${host}:${port} did not answer in time.` })),
      timeoutMs,
    );
    // RFC 3501 6.2.1: for STARTTLS, greeting, then STARTTLS, then the handshake on the same connection.
    const raw = security === 'starttls' ? net.connect({ host, port }) : undefined;
    let secure: tls.TLSSocket | undefined;
    const fail = (error: unknown) => {
      clearTimeout(timer);
      raw?.destroy();
      secure?.destroy();
      reject(error);
    };
    const startTls = (base?: net.Socket) => {
      const sni = serverName(host);
      secure = tls.connect({
        ...(base ? { socket: base } : { host, port }),
        ...(sni ? { servername: sni } : {}),
        rejectUnauthorized: false,
      });
      secure.once('secureConnect', () => {
        clearTimeout(timer);
        resolve(secure as tls.TLSSocket);
      });
      secure.once('error', fail);
    };
    if (!raw) {
      startTls();
      return;
    }
    raw.once('error', fail);
    let buffer = '';
    let sent = false;
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (!sent) {
          if (!/^\* (OK|PREAUTH)/i.test(line))
            return fail(
              new TegamiError({ code: 'SERVER_ERROR', message: 'The server did not greet as an IMAP server.', serverText: line }),
            );
          sent = true;
          raw?.write('P1 STARTTLS\r\n');
        } else if (/^P1 OK/i.test(line)) {
          raw?.off('data', onData);
          return startTls(raw);
        } else if (/^P1 /i.test(line)) {
          return fail(new TegamiError({ code: 'STARTTLS_UNAVAILABLE', message: `${host} does not offer STARTTLS.`, serverText: line }));
        }
      }
    };
    raw.on('data', onData);
  });
  try {
    const peer = socket.getPeerCertificate(true);
    const chainPem: string[] = [];
    const seen = new Set<string>();
    for (let c: tls.DetailedPeerCertificate | undefined = peer; c?.raw && !seen.has(c.fingerprint256); c = c.issuerCertificate) {
      seen.add(c.fingerprint256);
      chainPem.push(new X509Certificate(c.raw).toString());
    }
    const leaf = peer.raw ? new X509Certificate(peer.raw) : undefined;
    if (!leaf) throw new TegamiError({ code: 'TLS_FAILED', message: `${host} presented no certificate.` });
    const authError = socket.authorizationError as unknown as string | undefined;
    let reasonCode = authError ?? null;
    if (!authError) {
      const sni = serverName(host) ?? host;
      if (tls.checkServerIdentity(sni, peer)) reasonCode = 'ERR_TLS_CERT_ALTNAME_INVALID';
    }
    const reason = describeCertificateProblem(reasonCode ?? undefined);
    return {
      chainPem,
      info: {
        fingerprint256: leaf.fingerprint256,
        subject: leaf.subject.replace(/\n/g, ', '),
        issuer: leaf.issuer.replace(/\n/g, ', '),
        validFrom: new Date(leaf.validFrom).toISOString(),
        validTo: new Date(leaf.validTo).toISOString(),
        subjectAltName: leaf.subjectAltName ?? null,
        reason,
        reasonCode,
      },
    };
  } finally {
    socket.destroy();
  }
}
