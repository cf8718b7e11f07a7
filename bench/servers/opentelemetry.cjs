// OpenTelemetry metrics: MeterProvider + Prometheus exporter, http and express instrumentations.
// Everything is registered before express (and so http) is required, or nothing gets patched.
const { context, metrics } = require('@opentelemetry/api');
const { MeterProvider } = require('@opentelemetry/sdk-metrics');
const { PrometheusExporter } = require('@opentelemetry/exporter-prometheus');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express');
const { AsyncLocalStorageContextManager } = require('./otel-context.cjs');

// Without a context manager the http_route attribute never reaches the duration metric.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const exporter = new PrometheusExporter({ preventServerStart: true });
const provider = new MeterProvider({ readers: [exporter] });
metrics.setGlobalMeterProvider(provider);
registerInstrumentations({
  instrumentations: [new HttpInstrumentation(), new ExpressInstrumentation()],
  meterProvider: provider,
});

const express = require('express');
const { routes, listen } = require('./common.cjs');
const app = express();
routes(app);
app.get('/metrics', (req, res) => exporter.getMetricsRequestHandler(req, res));
listen(app);
