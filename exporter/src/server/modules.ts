import type { ServiceModule } from '../kit/module';
import { customMetricsModule } from '../custom/module';
import { healthModule } from '../health/module';
import { incidentsModule } from '../incidents/module';
import { ingestModule } from '../ingest/module';
import { slowQueriesModule } from '../queries/module';
import { slaModule } from '../sla/module';
import { statusModule } from './status-module';

/** The service's feature modules: fresh instances per service (they hold state); started in the order their needs give. */
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
