import type { IncomingMessage, Server } from 'node:http';
import { workContext } from '../core/context';
import type { Recorder } from '../core/recorder';
import { type RouteResolver, trackRequest } from './request-tracker';

/**
 * Instruments a plain node:http server (no framework). Without a `route` resolver every request is
 * recorded under the unmatched route: raw paths never become label values.
 */
export function instrumentHttpServer(
  server: Server,
  options: { recorder: Recorder; route?: RouteResolver },
): void {
  const resolve: RouteResolver = options.route ?? ((_req: IncomingMessage) => undefined);
  server.prependListener('request', (req, res) => {
    // The other 'request' listeners run synchronously after this one, inside the entered context.
    const work = trackRequest(options.recorder, req, res, resolve);
    if (options.recorder.contextWanted) workContext.enterWith(work);
  });
}
