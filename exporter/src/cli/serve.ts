import { loadConfig } from '../config/load';
import { startService } from '../server/service';
import type { Command } from './command';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the service: /metrics, /healthz, /readyz, /api/v1 (config: --config or $PERFWATCH_CONFIG)',
  options: { config: { type: 'string', short: 'c' } },
  async run({ values }) {
    const config = loadConfig((values.config as string | undefined) ?? process.env.PERFWATCH_CONFIG);
    const service = await startService(config);
    const shutdown = (signal: string) => {
      service.ctx.logger.info({ signal }, 'shutting down');
      const force = setTimeout(() => process.exit(1), 10_000);
      force.unref();
      service.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          service.ctx.logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    return undefined;
  },
};
