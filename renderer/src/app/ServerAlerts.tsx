import { Notice } from '../ui/Notice.js';
import { useSettings } from './settings.js';
import { useServerAlerts } from './useServerAlerts.js';

export function ServerAlerts() {
  const { t } = useSettings();
  const { alerts, dismiss } = useServerAlerts();
  if (alerts.length === 0) return null;
  return (
    <div className="alerts">
      {alerts.map((a) => (
        <Notice key={a.key} testId="server-alert" onDismiss={() => dismiss(a.key)}>
          <strong>{t('alerts.fromServer')}</strong> {a.message}
        </Notice>
      ))}
    </div>
  );
}
