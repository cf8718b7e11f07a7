import React from 'react';
import { Alert, TextLink } from '@grafana/ui';
import { PLUGIN_ID } from '../../constants';
import { grafanaHref } from '../../utils/routing';

/** Says where to pick the Prometheus datasource when none is configured. */
export function NoDatasource({ what }: { what: string }) {
  return (
    <Alert severity="info" title="No Prometheus datasource selected">
      Pick the Prometheus datasource on the{' '}
      <TextLink href={grafanaHref(`/plugins/${PLUGIN_ID}`)} inline>
        app configuration page
      </TextLink>{' '}
      to see {what} here.
    </Alert>
  );
}
