import type { ServiceModule } from './context';
import { customMetricsModule } from '../custom/module';
import { healthModule } from '../health/module';
import { incidentsModule } from '../incidents/module';
import { ingestModule } from '../ingest/module';
import { slowQueriesModule } from '../queries/module';
import { slaModule } from '../sla/module';
import { statusModule } from './status-module';

/** The service's feature modules, in start order: fresh instances per service (they hold state). */
export function serviceModules(): ServiceModule[] {
  return [
    statusModule,
    slowQueriesModule(),
    customMetricsModule,
    ingestModule(),
    healthModule(),
    incidentsModule(),
    slaModule(),
  ];
}
