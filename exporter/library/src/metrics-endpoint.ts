import type { Request, Response } from 'express';
import { type Metric, Registry, type RegistryContentType } from 'prom-client';
import { writeMetrics } from './core/exposition';

/**
 * Serves a registry in the format the scraper asks for: OpenMetrics when the Accept header prefers it
 * (Prometheus sends it first), else the classic text format. prom-client fixes the format per
 * registry, so an OpenMetrics view is a fresh registry holding the same metric objects.
 * Several registries (the app's and the system collector's) are served as one.
 */
export function metricsHandler(registries: Registry[]) {
  return async (req: Request, res: Response): Promise<void> => {
    const wantsOpenMetrics = /application\/openmetrics-text/.test(req.headers.accept ?? '');
    let view: Registry<RegistryContentType> = registries[0];
    if (wantsOpenMetrics || registries.length > 1) {
      // Built per scrape (a few Map inserts) so metrics registered later, e.g. custom ones, are included.
      view = new Registry<RegistryContentType>();
      view.setContentType(
        wantsOpenMetrics ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE,
      );
      // prom-client's typings say MetricObject; at run time these are the metric instances themselves.
      for (const r of registries)
        for (const m of r.getMetricsAsArray()) {
          const metric = m as unknown as Metric;
          view.registerMetric(wantsOpenMetrics ? openMetricsView(metric) : metric);
        }
    }
    let started = false;
    try {
      // Written in slices as they are rendered: a scrape of many series must not hold the app's
      // requests, neither while it renders nor while one large string is encoded and sent (issue 19).
      await writeMetrics(view, (chunk) => {
        if (!started) res.setHeader('Content-Type', view.contentType);
        started = true;
        res.write(chunk);
      });
      res.end();
    } catch (err) {
      // Every family is collected before the first chunk: a failure comes before anything was sent.
      if (started) {
        res.destroy(err as Error);
        return;
      }
      res
        .status(500)
        .type('text/plain')
        .end(`# collecting metrics failed: ${(err as Error).message}\n`);
    }
  };
}

/**
 * prom-client renders OpenMetrics by renaming counters in place (stripping `_total` from the metric
 * object itself), which would break every later text-format scrape. Render a stand-in instead whose
 * name may be changed, and whose values carry the OpenMetrics family name.
 */
interface Renderable {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  get(): Promise<object>;
}

function openMetricsView(metric: Metric): Metric {
  // The fields prom-client's registry reads from every metric; its typings do not declare them.
  const m = metric as unknown as Renderable;
  if (m.type !== 'counter') return metric;
  const family = m.name.replace(/_total$/, '');
  const view = {
    name: family,
    help: m.help,
    type: m.type,
    aggregator: m.aggregator,
    get: async () => ({ ...(await m.get()), name: family }),
  };
  return view as unknown as Metric;
}
