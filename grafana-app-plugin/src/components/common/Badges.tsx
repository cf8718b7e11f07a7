import React from 'react';
import { Badge, type BadgeColor } from '@grafana/ui';
import type { IncidentSeverity, IncidentStatus, SlaPriority, SlaStatus } from '../../api/types';

const SEVERITY_COLOR: Record<IncidentSeverity, BadgeColor> = {
  critical: 'red',
  high: 'orange',
  medium: 'blue',
  low: 'darkgrey',
};

const STATUS_COLOR: Record<IncidentStatus, BadgeColor> = {
  investigating: 'red',
  identified: 'orange',
  monitoring: 'blue',
  resolved: 'green',
};

const SLA_COLOR: Record<SlaStatus, BadgeColor> = {
  meeting: 'green',
  atRisk: 'orange',
  breaching: 'red',
  noData: 'darkgrey',
};

const SLA_TEXT: Record<SlaStatus, string> = {
  meeting: 'Meeting',
  atRisk: 'At risk',
  breaching: 'Breaching',
  noData: 'No data',
};

const PRIORITY_COLOR: Record<SlaPriority, BadgeColor> = {
  critical: 'red',
  high: 'orange',
  medium: 'blue',
  low: 'darkgrey',
};

const title = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export const SeverityBadge = ({ severity }: { severity: IncidentSeverity }) => (
  <Badge color={SEVERITY_COLOR[severity] ?? 'darkgrey'} text={title(severity)} />
);

export const StatusBadge = ({ status }: { status: IncidentStatus }) => (
  <Badge color={STATUS_COLOR[status] ?? 'darkgrey'} text={title(status)} />
);

export const SlaStatusBadge = ({ status }: { status: SlaStatus }) => (
  <Badge color={SLA_COLOR[status] ?? 'darkgrey'} text={SLA_TEXT[status] ?? status} />
);

export const PriorityBadge = ({ priority }: { priority: SlaPriority }) => (
  <Badge color={PRIORITY_COLOR[priority] ?? 'darkgrey'} text={title(priority)} />
);
