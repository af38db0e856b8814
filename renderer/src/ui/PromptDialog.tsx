import { useId, useRef, useState, type ReactNode } from 'react';
import { useModal } from './useModal.js';

/** A modal that asks for one line of text (a folder name), on the native <dialog>. */
export function PromptDialog({
  title,
  label,
  initial = '',
  confirmLabel,
  cancelLabel,
  children,
  onSubmit,
  onCancel,
  testId = 'prompt-dialog',
  validate,
}: {
  title: string;
  label: string;
  initial?: string;
  confirmLabel: string;
  cancelLabel: string;
  children?: ReactNode;
  onSubmit: (value: string) => void;
  onCancel: () => void;
  testId?: string;
  /** What is wrong with a value (said under the field, before it is sent), or null. */
  validate?: (value: string) => string | null;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [value, setValue] = useState(initial);
  useModal(ref);
  const problem = value.trim() === '' ? null : (validate?.(value.trim()) ?? null);
  const ok = value.trim() !== '' && problem === null;
  const errorId = useId();
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (ok) onSubmit(value.trim());
        }}
      >
        <h2 id={titleId}>{title}</h2>
        <label className="field">
          <span>{label}</span>
          <input
            value={value}
            onChange={(e) => setValue(e.target.value)}
            autoFocus
            maxLength={250}
            aria-invalid={problem !== null}
            aria-describedby={problem !== null ? errorId : undefined}
            data-testid="prompt-input"
          />
        </label>
        {problem !== null && (
          <p className="field-error" id={errorId} role="alert" data-testid="prompt-error">
            {problem}
          </p>
        )}
        {/* After the field: it is what the dialog asks for, and what the keyboard starts in. */}
        {children && <div className="dialog-body">{children}</div>}
        <div className="actions">
          <button type="button" className="button" onClick={onCancel}>
            {cancelLabel}
          </button>
          <button type="submit" className="button primary" disabled={!ok} data-testid="prompt-submit">
            {confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
