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
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [value, setValue] = useState(initial);
  useModal(ref);
  const ok = value.trim() !== '';
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
        {children && <div className="dialog-body">{children}</div>}
        <label className="field">
          <span>{label}</span>
          <input value={value} onChange={(e) => setValue(e.target.value)} autoFocus maxLength={250} data-testid="prompt-input" />
        </label>
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
