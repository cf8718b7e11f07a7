/**
 * The config the promtool scenarios generate their rules from: a p95 SLA with availability, a p99 SLA and a
 * pushed app, whatever perfwatch.yml holds.
 */
import { parseConfig } from '../config/load';
import type { PerfwatchConfig } from '../config/schema';

export const SCENARIO_CONFIG: PerfwatchConfig = parseConfig(
  {
    sla: {
      job: 'shop',
      endpoints: [
        {
          name: 'checkout',
          route: '/api/checkout',
          method: 'POST',
          latency: 'p95 < 300ms',
          errorRate: '< 0.5%',
          availability: '99.9%',
          priority: 'critical',
        },
        {
          name: 'product',
          route: '/api/products/:id',
          method: 'GET',
          latency: 'p99 < 250ms',
          errorRate: '< 1%',
          priority: 'high',
        },
        {
          name: 'billing',
          route: '/invoices/{id}',
          method: 'GET',
          app: 'billing',
          errorRate: '< 1%',
          availability: '99.5%',
          priority: 'critical',
        },
      ],
    },
  },
  'the scenario SLA config',
);
