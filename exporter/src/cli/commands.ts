import type { Command } from './command';
import { rulesCheckCommand, rulesGenerateCommand } from './rules';
import { dashboardsCheckCommand, dashboardsGenerateCommand } from './dashboards';
import { openapiCheckCommand, openapiGenerateCommand } from './openapi';
import { serveCommand } from './serve';
import { slaReportCommand } from './sla-report';

/** Every `perfwatch` subcommand. Each issue adds its commands here. */
export const COMMANDS: Command[] = [
  serveCommand,
  rulesGenerateCommand,
  rulesCheckCommand,
  slaReportCommand,
  dashboardsGenerateCommand,
  dashboardsCheckCommand,
  openapiGenerateCommand,
  openapiCheckCommand,
];
