import React, { useState } from 'react';
import { Alert, Button, Stack, Tab, TabsBar, Text } from '@grafana/ui';
import type { ExplainResult } from '../../api/explain';
import { CodeBlock } from '../../components/common/CodeBlock';
import { testIds } from '../../components/testIds';
import { explainMessage } from './explainMessage';
import { PlanTree } from './PlanTree';
import { useExplain } from './useExplain';

function Plan({ plan }: { plan: ExplainResult }) {
  const [tab, setTab] = useState<'tree' | 'text'>('tree');
  return (
    <Stack direction="column" gap={1}>
      <Text color="secondary" variant="bodySmall">
        {plan.genericPlan ? 'Generic plan (PREPARE, plan_cache_mode = force_generic_plan)' : 'Plan'} on
        connection “{plan.connection}” ({plan.client}), {plan.parameters} parameter
        {plan.parameters === 1 ? '' : 's'} bound to NULL, in {plan.durationMs} ms.
      </Text>
      {plan.notes.map((note) => (
        <Alert key={note} severity="info" title="Note">
          {note}
        </Alert>
      ))}
      <TabsBar>
        <Tab label="Tree" active={tab === 'tree'} onChangeTab={() => setTab('tree')} />
        <Tab label="Text" active={tab === 'text'} onChangeTab={() => setTab('text')} />
      </TabsBar>
      {tab === 'tree' ? (
        <PlanTree tree={plan.tree} />
      ) : (
        <CodeBlock code={plan.text} framed testId={testIds.slowQueries.planText} />
      )}
    </Stack>
  );
}

/** EXPLAIN on demand (PMM QAN's Explain tab): run only when asked, on the exporter's read-only connection. */
export function ExplainPanel({
  fingerprintId,
  database,
}: {
  fingerprintId: string;
  database: string | null;
}) {
  const { state, run } = useExplain(fingerprintId, database);
  const failure = state.error ? explainMessage(state.error) : undefined;
  return (
    <section data-testid={testIds.slowQueries.explain}>
      <Stack justifyContent="space-between" alignItems="center">
        <Text element="h3">Execution plan</Text>
        <Button size="sm" variant="secondary" icon="play" onClick={() => run()} disabled={state.loading}>
          {state.loading ? 'Explaining…' : state.value ? 'Explain again' : 'Run EXPLAIN'}
        </Button>
      </Stack>
      {!state.value && !state.error && !state.loading && (
        <Text color="secondary" element="p">
          EXPLAIN (never ANALYZE) on the database&apos;s configured read-only connection, with the
          placeholders bound to NULL.
        </Text>
      )}
      {failure && (
        <Alert severity="warning" title={failure.title}>
          {failure.text}
        </Alert>
      )}
      {state.value && !state.error && <Plan plan={state.value} />}
    </section>
  );
}
