import React from 'react';
import { ControlledCollapse, Text } from '@grafana/ui';
import type { IncidentAlert } from '../../api/types';
import { CodeBlock } from '../../components/common/CodeBlock';

/** Each alert as the exporter stored it from Alertmanager's webhook: every label and annotation. */
export function AlertPayloads({ alerts }: { alerts: IncidentAlert[] }) {
  if (alerts.length === 0) {
    return null;
  }
  return (
    <div data-testid="data-testid inc-alert-payloads">
      {alerts.map((a) => (
        <ControlledCollapse
          key={a.fingerprint}
          label={`Raw payload: ${a.labels.alertname ?? 'alert'} (${a.fingerprint})`}
          isOpen={false}
        >
          <Text color="secondary" variant="bodySmall" element="p">
            As received from Alertmanager, with the times the exporter first and last saw it.
          </Text>
          <CodeBlock code={JSON.stringify(a, null, 2)} framed />
        </ControlledCollapse>
      ))}
    </div>
  );
}
