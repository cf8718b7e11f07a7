import path from 'node:path';
import { startStack } from '../src/stack';
import { checkPanels } from './support/panels';
jest.setTimeout(600000);
test('dev panels', async () => {
  const t0 = Date.now();
  const s = await startStack({
    ports: 'ephemeral',
    runDir: '/tmp/pw-dev/run2',
    alertmanagerConfig: '/tmp/pw-dev/alertmanager.yml',
    rulesDir: '/tmp/pw-dev/rules',
    scrapeInterval: '1s',
    resendDelay: '1s',
    groupWait: '1s',
    groupInterval: '2s',
    rps: 25,
    demoSchema: 'pw_dev_stack',
    queuePrefix: 'pw-dev-stack',
  });
  try {
    await new Promise((r) => setTimeout(r, 15000));
    await s.setPhase('slow-checkout');
    await new Promise((r) => setTimeout(r, 15000));
    await s.setPhase('error-burst,n-plus-one,failing-jobs');
    await new Promise((r) => setTimeout(r, 20000));
    await s.setPhase('normal');
    await new Promise((r) => setTimeout(r, 5000));
    const sq = await (
      await fetch(`${s.urls.exporter}/api/v1/slow-queries`, {
        headers: { authorization: `Bearer ${s.tokens.write}` },
      })
    ).json();
    console.log(JSON.stringify(sq).slice(0, 600));
    const res = await checkPanels(
      s.urls.prometheus,
      path.join(__dirname, '..', '..', 'dashboards'),
      t0,
      Date.now(),
      '15s',
    );
    console.log(
      res.length,
      JSON.stringify(
        res.filter((r) => r.problem),
        null,
        1,
      ),
    );
  } finally {
    await s.stop();
  }
});
