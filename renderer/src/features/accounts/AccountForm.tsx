import { useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { AccountInput, defaultPort, type Account, type Security } from '../../../../shared/domain/account.js';
import type { ErrorInfo } from '../../../../shared/domain/errors.js';
import { asTegamiError, call } from '../../ipc/client.js';
import { Icon } from '../../ui/Icon.js';
import { CertificatePanel } from './CertificatePanel.js';
import { describeAddError } from './errorText.js';

type FieldName = 'name' | 'email' | 'user' | 'host' | 'port' | 'password';
type FieldErrors = Partial<Record<FieldName, string | undefined>>;

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
    errors[field as FieldName] = friendly(field as FieldName, issue.message, values);
  }
  return { errors };
}

function friendly(field: FieldName, message: string, values: Values): string {
  // zod's built-in messages ("Too small: expected…") are for developers; the schema's own are fine.
  if (!/^(Too|Invalid|Expected)/i.test(message)) return message;
  switch (field) {
    case 'name':
      return 'Enter a name for the account';
    case 'email':
      return values.email.trim() === '' ? 'Enter the email address' : 'Enter an email address like name@example.com';
    case 'user':
      return 'Enter the user name';
    case 'host':
      return values.host.trim() === '' ? 'Enter the server name' : 'This server name is too long';
    case 'port':
      return 'Enter a port number between 1 and 65535';
    case 'password':
      return 'Enter the password';
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

  const useTls = (): void => {
    setPortEdited(false);
    setValues((prev) => ({ ...prev, security: 'tls', port: String(defaultPort.tls) }));
    setFailure(null);
  };

  const described = failure ? describeAddError(failure.error, failure.input) : null;
  const certificate = failure?.error.code === 'TLS_UNTRUSTED' ? failure.error.certificate : undefined;

  return (
    <form
      ref={formRef}
      className="account-form"
      data-testid="account-form"
      aria-label="Add an account"
      aria-busy={busy}
      noValidate
      onSubmit={onSubmit}
    >
      <fieldset disabled={busy}>
        <Field label="Account name" error={errors.name}>
          {(p) => (
            <input
              {...p}
              name="name"
              type="text"
              autoComplete="off"
              placeholder="Work, Home …"
              value={values.name}
              onChange={(e) => set('name', e.target.value)}
            />
          )}
        </Field>
        <Field label="Email address" error={errors.email}>
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
        <Field label="User name" error={errors.user} hint="Usually the email address.">
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
        <Field label="Server (IMAP)" error={errors.host}>
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
            label="Security"
            error={undefined}
            hint={
              values.security === 'none' ? (
                <span className="security-warning" data-testid="security-warning">
                  <Icon name="warning" /> Without encryption, your password and all your mail travel over the network in clear text,
                  readable by anyone on the way.
                </span>
              ) : undefined
            }
          >
            {(p) => (
              <select {...p} name="security" value={values.security} onChange={(e) => setSecurity(e.target.value as Security)}>
                <option value="tls">TLS (port 993)</option>
                <option value="starttls">STARTTLS (port 143)</option>
                <option value="none">None (unencrypted)</option>
              </select>
            )}
          </Field>
          <Field label="Port" error={errors.port}>
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
        <Field label="Password" error={errors.password}>
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
                The server said: <q>{failure.error.serverText}</q>
              </p>
            )}
            {failure.error.code === 'STARTTLS_UNAVAILABLE' && (
              <button type="button" className="button small" onClick={useTls}>
                Use TLS (port 993)
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
          <span className="spinner" aria-hidden="true" /> Connecting to {values.host.trim()}:{values.port.trim()} and signing in…
        </p>
      )}

      {!certificate && (
        <div className="actions">
          {onCancel && (
            <button type="button" className="button" onClick={onCancel} disabled={busy}>
              Cancel
            </button>
          )}
          <button type="submit" className="button primary" disabled={busy}>
            Add account
          </button>
        </div>
      )}
    </form>
  );
}
