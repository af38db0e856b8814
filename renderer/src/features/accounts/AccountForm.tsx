import { useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { AccountInput, defaultPort, type Account, type Security } from '../../../../shared/domain/account.js';
import type { ErrorInfo } from '../../../../shared/domain/errors.js';
import { useSettings } from '../../app/settings.js';
import type { MessageKey } from '../../i18n/strings.js';
import { asTegamiError, call } from '../../ipc/client.js';
import { Icon } from '../../ui/Icon.js';
import { CertificatePanel } from './CertificatePanel.js';
import { describeAddError } from './errorText.js';

type FieldName = 'name' | 'email' | 'user' | 'host' | 'port' | 'password';
/** What is wrong with each field, as a message key: translated when shown, so it follows a language switch. */
type FieldErrors = Partial<Record<FieldName, MessageKey | undefined>>;

interface Values {
  name: string;
  email: string;
  user: string;
  host: string;
  security: Security;
  port: string;
  password: string;
}

const initial: Values = { name: '', email: '', user: '', host: '', security: 'tls', port: String(defaultPort.tls), password: '' };
const fieldOrder: readonly FieldName[] = ['name', 'email', 'user', 'host', 'port', 'password'];

/** Validates with the contract's own schema, so the form and the engine agree on what is valid. */
function validate(values: Values): { input: AccountInput } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  const port = /^\d+$/.test(values.port.trim()) ? Number(values.port.trim()) : NaN;
  const parsed = AccountInput.safeParse({
    name: values.name,
    email: values.email,
    user: values.user,
    host: values.host,
    port: Number.isNaN(port) ? -1 : port,
    security: values.security,
    password: values.password,
  });
  if (parsed.success) return { input: parsed.data };
  for (const issue of parsed.error.issues) {
    const field = issue.path[0];
    if (typeof field !== 'string' || !fieldOrder.includes(field as FieldName) || errors[field as FieldName]) continue;
    errors[field as FieldName] = friendly(field as FieldName, issue.code, values);
  }
  return { errors };
}

/**
 * The message for a field the schema refused. zod's messages (and the schema's own) are English
 * only, so the field, its value and the kind of issue pick a translated message instead.
 */
function friendly(field: FieldName, code: string, values: Values): MessageKey {
  switch (field) {
    case 'name':
      return values.name.trim() === '' ? 'account.invalid.name' : 'account.invalid.nameLong';
    case 'email':
      return values.email.trim() === '' ? 'account.invalid.emailEmpty' : 'account.invalid.email';
    case 'user':
      return values.user === '' ? 'account.invalid.user' : 'account.invalid.userLong';
    case 'host':
      if (values.host.trim() === '') return 'account.invalid.hostEmpty';
      return code === 'too_big' ? 'account.invalid.hostLong' : 'account.invalid.hostChars';
    case 'port':
      return 'account.invalid.port';
    case 'password':
      return values.password === '' ? 'account.invalid.password' : 'account.invalid.passwordLong';
  }
}

function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error: string | undefined;
  hint?: ReactNode;
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined }) => ReactNode;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={error ? 'field invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': Boolean(error), 'aria-describedby': describedBy })}
      {hint && (
        <div id={hintId} className="field-hint">
          {hint}
        </div>
      )}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

export function AccountForm({ onAdded, onCancel }: { onAdded: (account: Account) => void; onCancel?: () => void }) {
  const { t, language } = useSettings();
  const [values, setValues] = useState<Values>(initial);
  const [userEdited, setUserEdited] = useState(false);
  const [portEdited, setPortEdited] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<{ error: ErrorInfo; input: AccountInput } | null>(null);
  // The user's decision to trust a certificate holds for that server until host, port or security
  // change, so fixing a wrong password does not ask about the certificate again.
  const [trusted, setTrusted] = useState<{ server: string; fingerprint: string } | null>(null);
  const serverKey = (v: { host: string; port: string | number; security: string }) => `${v.host.trim()}|${v.port}|${v.security}`;
  const formRef = useRef<HTMLFormElement>(null);
  const errorRef = useRef<HTMLDivElement>(null);

  const set = (field: keyof Values, value: string): void => {
    setValues((prev) => {
      const next = { ...prev, [field]: value };
      if (field === 'email' && !userEdited) next.user = value;
      return next;
    });
    const mirrorsUser = field === 'email' && !userEdited;
    if (errors[field as FieldName] || (mirrorsUser && errors.user))
      setErrors((prev) => ({ ...prev, [field]: undefined, ...(mirrorsUser ? { user: undefined } : {}) }));
  };

  const setSecurity = (security: Security): void => {
    setValues((prev) => ({ ...prev, security, port: portEdited ? prev.port : String(defaultPort[security]) }));
  };

  const submit = async (input: AccountInput): Promise<void> => {
    setBusy(true);
    setFailure(null);
    try {
      const account = await call('accounts.add', input);
      onAdded(account);
    } catch (error) {
      setFailure({ error: asTegamiError(error).info, input });
      // Move focus to the message so keyboard and screen reader users land on it.
      requestAnimationFrame(() => errorRef.current?.focus());
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    if (busy) return;
    const result = validate(values);
    if ('errors' in result) {
      setErrors(result.errors);
      setFailure(null);
      const first = fieldOrder.find((f) => result.errors[f]);
      if (first) formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
      return;
    }
    setErrors({});
    const keep = trusted && trusted.server === serverKey(values) ? { trustCertificate: trusted.fingerprint } : {};
    void submit({ ...result.input, ...keep });
  };

  const trust = (): void => {
    const fingerprint = failure?.error.certificate?.fingerprint256;
    if (failure && fingerprint) {
      setTrusted({ server: serverKey(failure.input), fingerprint });
      void submit({ ...failure.input, trustCertificate: fingerprint });
    }
  };

  /** TLS on its usual port (the server offers no STARTTLS), or on the port given (it waited for a TLS handshake). */
  /** The one-click fixes of a wrong security setting: keep the port (it was right) or take the security's default. */
  const switchSecurity = (security: 'tls' | 'starttls', keepPort: boolean): void => {
    if (!keepPort) setPortEdited(false);
    setValues((prev) => ({ ...prev, security, port: keepPort ? prev.port : String(defaultPort[security]) }));
    setFailure(null);
  };

  const described = failure ? describeAddError(failure.error, failure.input, t, language) : null;
  const certificate = failure?.error.code === 'TLS_UNTRUSTED' ? failure.error.certificate : undefined;

  return (
    <form
      ref={formRef}
      className="account-form"
      data-testid="account-form"
      aria-label={t('account.formTitle')}
      aria-busy={busy}
      noValidate
      onSubmit={onSubmit}
    >
      <fieldset disabled={busy}>
        <Field label={t('account.name')} error={errors.name && t(errors.name)}>
          {(p) => (
            <input
              {...p}
              name="name"
              type="text"
              autoComplete="off"
              placeholder={t('account.namePlaceholder')}
              value={values.name}
              onChange={(e) => set('name', e.target.value)}
            />
          )}
        </Field>
        <Field label={t('account.email')} error={errors.email && t(errors.email)}>
          {(p) => (
            <input
              {...p}
              name="email"
              type="email"
              autoComplete="email"
              spellCheck={false}
              placeholder="name@example.com"
              value={values.email}
              onChange={(e) => set('email', e.target.value)}
            />
          )}
        </Field>
        <Field label={t('account.user')} error={errors.user && t(errors.user)} hint={t('account.userHint')}>
          {(p) => (
            <input
              {...p}
              name="user"
              type="text"
              autoComplete="username"
              spellCheck={false}
              autoCapitalize="off"
              value={values.user}
              onChange={(e) => {
                setUserEdited(true);
                set('user', e.target.value);
              }}
            />
          )}
        </Field>
        <Field label={t('account.host')} error={errors.host && t(errors.host)}>
          {(p) => (
            <input
              {...p}
              name="host"
              type="text"
              autoComplete="off"
              spellCheck={false}
              autoCapitalize="off"
              placeholder="imap.example.com"
              value={values.host}
              onChange={(e) => set('host', e.target.value)}
            />
          )}
        </Field>
        <div className="field-row">
          <Field
            label={t('account.security')}
            error={undefined}
            hint={
              values.security === 'none' ? (
                <span className="security-warning" data-testid="security-warning">
                  <Icon name="warning" /> {t('account.securityWarning')}
                </span>
              ) : undefined
            }
          >
            {(p) => (
              <select {...p} name="security" value={values.security} onChange={(e) => setSecurity(e.target.value as Security)}>
                <option value="tls">{t('account.security.tls')}</option>
                <option value="starttls">{t('account.security.starttls')}</option>
                <option value="none">{t('account.security.none')}</option>
              </select>
            )}
          </Field>
          <Field label={t('account.port')} error={errors.port && t(errors.port)}>
            {(p) => (
              <input
                {...p}
                name="port"
                type="text"
                inputMode="numeric"
                className="port"
                value={values.port}
                onChange={(e) => {
                  setPortEdited(true);
                  set('port', e.target.value);
                }}
              />
            )}
          </Field>
        </div>
        <Field label={t('account.password')} error={errors.password && t(errors.password)}>
          {(p) => (
            <input
              {...p}
              name="password"
              type="password"
              autoComplete="current-password"
              value={values.password}
              onChange={(e) => set('password', e.target.value)}
            />
          )}
        </Field>
      </fieldset>

      {failure && described && (
        <div
          ref={errorRef}
          tabIndex={-1}
          className="form-error"
          role="alert"
          data-testid="account-error"
          data-error-code={failure.error.code}
        >
          <Icon name="warning" className="form-error-icon" />
          <div>
            <p className="form-error-title">{described.title}</p>
            <p className="form-error-detail">{described.detail}</p>
            {failure.error.serverText && (
              <p className="form-error-server">
                {t('account.serverSaid')} <q>{failure.error.serverText}</q>
              </p>
            )}
            {failure.error.code === 'STARTTLS_UNAVAILABLE' && (
              <button type="button" className="button small" onClick={() => switchSecurity('tls', false)}>
                {t('account.useTls')}
              </button>
            )}
            {failure.error.code === 'NO_GREETING' && (
              <button type="button" className="button small" onClick={() => switchSecurity('tls', true)}>
                {t('account.useTlsOnPort', { port: failure.input.port })}
              </button>
            )}
            {/* TLS spoken to a port that expects STARTTLS (143 and the like): the handshake fails. */}
            {failure.error.code === 'TLS_FAILED' && failure.input.security === 'tls' && (
              <button type="button" className="button small" onClick={() => switchSecurity('starttls', true)}>
                {t('account.useStarttlsOnPort', { port: failure.input.port })}
              </button>
            )}
          </div>
        </div>
      )}

      {certificate && failure && (
        <CertificatePanel
          certificate={certificate}
          host={failure.input.host}
          busy={busy}
          onTrust={trust}
          onCancel={() => setFailure(null)}
        />
      )}

      {busy && (
        <p className="busy" role="status">
          <span className="spinner" aria-hidden="true" />{' '}
          {t('account.connecting', { server: `${values.host.trim()}:${values.port.trim()}` })}
        </p>
      )}

      {!certificate && (
        <div className="actions">
          {onCancel && (
            <button type="button" className="button" onClick={onCancel} disabled={busy}>
              {t('common.cancel')}
            </button>
          )}
          <button type="submit" className="button primary" disabled={busy}>
            {t('account.add')}
          </button>
        </div>
      )}
    </form>
  );
}
