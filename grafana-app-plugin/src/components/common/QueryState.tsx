import React, { type ReactNode } from 'react';
import { Alert, Button, EmptyState, LoadingPlaceholder } from '@grafana/ui';

interface Props {
  loading: boolean;
  error?: Error;
  /** True when the answer came back with nothing in it. */
  empty: boolean;
  emptyMessage: string;
  emptyHint?: ReactNode;
  errorTitle: string;
  loadingText: string;
  onRetry?: () => void;
  children: ReactNode;
}

/**
 * The four states every page shares: loading (only before the first answer, so refreshes do
 * not flash), error (in words, with a retry), empty (with a hint), and the content.
 */
export function QueryState(props: Props) {
  const { loading, error, empty, children } = props;
  if (error) {
    return (
      <Alert severity="error" title={props.errorTitle}>
        <div>{error.message}</div>
        {props.onRetry && (
          <Button size="sm" variant="secondary" icon="sync" onClick={props.onRetry} style={{ marginTop: 8 }}>
            Retry
          </Button>
        )}
      </Alert>
    );
  }
  if (loading) {
    return <LoadingPlaceholder text={props.loadingText} />;
  }
  if (empty) {
    return (
      <EmptyState variant="not-found" message={props.emptyMessage}>
        {props.emptyHint}
      </EmptyState>
    );
  }
  return <>{children}</>;
}
