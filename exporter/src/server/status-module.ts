import { VERSION } from '../version';
import type { ServiceStatusBody, WhoAmIBody } from './api-schemas';
import type { ServiceModule } from '../kit/module';

/** GET /api/v1/status: what is running and whether its store is healthy. */
export const statusModule: ServiceModule = {
  name: 'status',
  routes(router, ctx) {
    router.get('/status', ctx.auth.require('read'), async (_req, res) => {
      res.json({
        version: VERSION,
        startedAt: ctx.startedAt.toISOString(),
        uptimeSeconds: Math.round((Date.now() - ctx.startedAt.getTime()) / 1000),
        store: { kind: ctx.store.kind, schemaVersion: await ctx.store.schemaVersion() },
      } satisfies ServiceStatusBody);
    });
    router.get('/whoami', (req, res) => {
      const p = ctx.auth.authenticate(req.headers.authorization);
      if (!p) {
        res.status(401).json({ error: { code: 'unauthorized', message: 'missing or unknown bearer token' } });
        return;
      }
      // The user the incident actions would be recorded as, from the header Grafana's proxy sends
      // only with [dataproxy] send_user_header; the Grafana app's connection test reports it.
      const header = ctx.config.incidents.userHeader;
      const user = (req.get(header) ?? '').trim().slice(0, 200) || null;
      res.json({ name: p.name, scopes: [...p.scopes].sort(), userHeader: header, user } satisfies WhoAmIBody);
    });
  },
};
