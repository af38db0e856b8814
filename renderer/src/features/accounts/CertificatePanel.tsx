import { useId, useState } from 'react';
import type { CertificateInfo } from '../../../../shared/domain/account.js';
import { uiLocale } from '../../ui/locale.js';

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

function formatDate(text: string): { label: string; time: number | null } {
  const time = Date.parse(text);
  if (Number.isNaN(time)) return { label: text, time: null };
  return { label: new Intl.DateTimeFormat(uiLocale, { dateStyle: 'medium', timeStyle: 'short' }).format(time), time };
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
  const headingId = useId();
  const from = formatDate(certificate.validFrom);
  const to = formatDate(certificate.validTo);
  const [now] = useState(() => Date.now());
  const expired = to.time !== null && to.time < now;
  const notYet = from.time !== null && from.time > now;
  return (
    <section className="certificate-panel" aria-labelledby={headingId} data-testid="certificate-panel">
      <h3 id={headingId}>Certificate presented by {host}</h3>
      <dl className="certificate-details">
        <dt>Why it is not trusted</dt>
        <dd>{certificate.reason}</dd>
        <dt>Issued to</dt>
        <dd>{certificate.subject}</dd>
        {certificate.subjectAltName && (
          <>
            <dt>Names</dt>
            <dd>{certificate.subjectAltName}</dd>
          </>
        )}
        <dt>Issued by</dt>
        <dd>{certificate.issuer}</dd>
        <dt>Valid</dt>
        <dd>
          {from.label} – {to.label}
          {expired && <strong className="cert-warning"> (expired)</strong>}
          {notYet && <strong className="cert-warning"> (not yet valid)</strong>}
        </dd>
        <dt>SHA-256 fingerprint</dt>
        <dd>
          <code className="fingerprint" data-testid="certificate-fingerprint">
            <FingerprintLines fingerprint={certificate.fingerprint256} />
          </code>
        </dd>
      </dl>
      <p className="certificate-advice">
        Trust it only if you expected this (for example, your own server with a certificate of its own) and the fingerprint matches the one
        your administrator gave you. Tegami will then accept exactly this certificate for this account, and warn you again if it ever
        changes.
      </p>
      <div className="actions">
        <button type="button" className="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="button danger" onClick={onTrust} disabled={busy}>
          Trust this certificate for this account
        </button>
      </div>
    </section>
  );
}
