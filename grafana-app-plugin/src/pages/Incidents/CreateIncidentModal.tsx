import React, { useState } from 'react';
import { Alert, Button, Field, Input, Modal, RadioButtonGroup, TextArea } from '@grafana/ui';
import { INCIDENT_SEVERITIES, type Incident, type IncidentSeverity } from '../../api/types';
import { capitalize } from '../../utils/format';
import { api, type NewIncident } from '../../api/client';

interface Props {
  onDismiss: () => void;
  onCreated: (incident: Incident) => void;
}

/** Opens an incident by hand: something users reported that no alert caught. */
export function CreateIncidentModal({ onDismiss, onCreated }: Props) {
  const [form, setForm] = useState<NewIncident>({
    title: '',
    severity: 'high',
    description: '',
    rootCause: '',
    labels: '',
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const set = (patch: Partial<NewIncident>) => setForm((f) => ({ ...f, ...patch }));
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onCreated(await api.createIncident(form));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };
  return (
    <Modal title="New incident" isOpen onDismiss={onDismiss}>
      {error && (
        <Alert severity="error" title="Could not open the incident">
          {error}
        </Alert>
      )}
      <Field label="Title" required>
        <Input
          aria-label="Incident title"
          value={form.title}
          placeholder="Checkout fails for card payments"
          onChange={(e) => set({ title: e.currentTarget.value })}
        />
      </Field>
      <Field label="Severity">
        <RadioButtonGroup<IncidentSeverity>
          aria-label="New incident severity"
          options={INCIDENT_SEVERITIES.map((s) => ({ label: capitalize(s), value: s }))}
          value={form.severity}
          onChange={(severity) => set({ severity })}
        />
      </Field>
      <Field label="What is happening">
        <TextArea
          aria-label="Incident description"
          rows={3}
          value={form.description}
          onChange={(e) => set({ description: e.currentTarget.value })}
        />
      </Field>
      <Field label="Root cause" description="If known: the incident then opens as Identified">
        <TextArea
          aria-label="Root cause"
          rows={2}
          value={form.rootCause}
          placeholder="Payment provider rate-limits our API key"
          onChange={(e) => set({ rootCause: e.currentTarget.value })}
        />
      </Field>
      <Field label="Labels" description="name=value pairs, e.g. route=/api/checkout service=shop">
        <Input
          aria-label="Incident labels"
          value={form.labels}
          onChange={(e) => set({ labels: e.currentTarget.value })}
        />
      </Field>
      <Modal.ButtonRow>
        <Button variant="secondary" fill="outline" onClick={onDismiss}>
          Cancel
        </Button>
        <Button icon="plus" disabled={busy || !form.title.trim()} onClick={submit}>
          Open incident
        </Button>
      </Modal.ButtonRow>
    </Modal>
  );
}
