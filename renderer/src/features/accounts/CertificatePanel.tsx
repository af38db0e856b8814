import { useId, useState } from 'react';
import type { CertificateInfo } from '../../../../shared/domain/account.js';
import { useSettings } from '../../app/settings.js';
import type { MessageKey } from '../../i18n/strings.js';
import type { Translate } from '../../i18n/translate.js';

/** "AB:CD:…" (32 bytes) as 4 lines of 8; the text content stays exactly the fingerprint. */
function FingerprintLines({ fingerprint }: { fingerprint: string }) {
  const bytes = fingerprint.split(':');
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 8) lines.push(bytes.slice(i, i + 8).join(':') + (i + 8 < bytes.length ? ':' : ''));
  return (
    <>
      {lines.map((line, i) => (
        <span key={i} className="fingerprint-line">
          {line}
        </span>
      ))}
    </>
  );
}

function formatDate(text: string, locale: string): { label: string; time: number | null } {
  const time = Date.parse(text);
  if (Number.isNaN(time)) return { label: text, time: null };
  return { label: new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(time), time };
}

const reasonKeys: Record<string, MessageKey> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'cert.why.selfSigned',
  SELF_SIGNED_CERT_IN_CHAIN: 'cert.why.untrustedIssuer',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'cert.why.unknownIssuer',
  UNABLE_TO_GET_ISSUER_CERT: 'cert.why.unknownIssuer',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'cert.why.unknownIssuer',
  CERT_UNTRUSTED: 'cert.why.untrusted',
  CERT_HAS_EXPIRED: 'cert.why.expired',
  CERT_NOT_YET_VALID: 'cert.why.notYetValid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'cert.why.otherName',
  HOSTNAME_MISMATCH: 'cert.why.otherName',
};

/** Why the certificate is not trusted, in the UI's language (the engine's English for a code it has no words for). */
export function certificateReason(c: CertificateInfo, t: Translate): string {
  const key = c.reasonCode ? reasonKeys[c.reasonCode] : undefined;
  return key ? t(key) : c.reason;
}

export function CertificatePanel({
  certificate,
  host,
  busy,
  onTrust,
  onCancel,
}: {
  certificate: CertificateInfo;
  host: string;
  busy: boolean;
  onTrust: () => void;
  onCancel: () => void;
}) {
  const { t, locale } = useSettings();
  const headingId = useId();
  const from = formatDate(certificate.validFrom, locale);
  const to = formatDate(certificate.validTo, locale);
  const [now] = useState(() => Date.now());
  const expired = to.time !== null && to.time < now;
  const notYet = from.time !== null && from.time > now;
  return (
    <section className="certificate-panel" aria-labelledby={headingId} data-testid="certificate-panel">
      <h3 id={headingId}>{t('cert.title', { host })}</h3>
      <dl className="certificate-details">
        <dt>{t('cert.reason')}</dt>
        <dd>{certificateReason(certificate, t)}</dd>
        <dt>{t('cert.subject')}</dt>
        <dd>{certificate.subject}</dd>
        {certificate.subjectAltName && (
          <>
            <dt>{t('cert.names')}</dt>
            <dd>{certificate.subjectAltName}</dd>
          </>
        )}
        <dt>{t('cert.issuer')}</dt>
        <dd>{certificate.issuer}</dd>
        <dt>{t('cert.valid')}</dt>
        <dd>
          {from.label} – {to.label}
          {expired && <strong className="cert-warning"> {t('cert.expired')}</strong>}
          {notYet && <strong className="cert-warning"> {t('cert.notYetValid')}</strong>}
        </dd>
        <dt>{t('cert.fingerprint')}</dt>
        <dd>
          <code className="fingerprint" data-testid="certificate-fingerprint">
            <FingerprintLines fingerprint={certificate.fingerprint256} />
          </code>
        </dd>
      </dl>
      <p className="certificate-advice">{t('cert.advice')}</p>
      <div className="actions">
        <button type="button" className="button" onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </button>
        <button type="button" className="button danger" onClick={onTrust} disabled={busy}>
          {t('cert.trust')}
        </button>
      </div>
    </section>
  );
}
