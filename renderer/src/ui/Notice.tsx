import type { ReactNode } from 'react';
import { Icon } from './Icon.js';

/** A dismissible message that must be seen (role="alert"). */
export function Notice({
  children,
  onDismiss,
  testId,
  tone = 'warning',
}: {
  children: ReactNode;
  onDismiss?: () => void;
  testId?: string;
  tone?: 'warning' | 'info';
}) {
  return (
    <div className={`notice ${tone}`} role="alert" data-testid={testId}>
      <Icon name={tone === 'warning' ? 'warning' : 'inbox'} className="notice-icon" />
      <div className="notice-text">{children}</div>
      {onDismiss && (
        <button type="button" className="icon-button" onClick={onDismiss} aria-label="Dismiss">
          <Icon name="close" />
        </button>
      )}
    </div>
  );
}
