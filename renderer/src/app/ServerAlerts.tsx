import { Notice } from '../ui/Notice.js';
import { useServerAlerts } from './useServerAlerts.js';

export function ServerAlerts() {
  const { alerts, dismiss } = useServerAlerts();
  if (alerts.length === 0) return null;
  return (
    <div className="alerts">
      {alerts.map((a) => (
        <Notice key={a.key} testId="server-alert" onDismiss={() => dismiss(a.key)}>
          <strong>Message from your mail server:</strong> {a.message}
        </Notice>
      ))}
    </div>
  );
}
