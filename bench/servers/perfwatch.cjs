// Perfwatch middleware with prom-client's default process/nodejs metrics, as an app would install it.
const express = require('express');
const { perfwatch } = require('../../exporter/library/dist/index.js');
const { routes, listen } = require('./common.cjs');
const pw = perfwatch({ defaultMetrics: true });
const app = express();
app.use(pw.express({ express }));
routes(app);
app.get('/metrics', pw.metricsHandler());
listen(app);
