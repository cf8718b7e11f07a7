// Perfwatch with the per-request AsyncLocalStorage context open, as it is once a DB, queue or
// upload hook is installed (they attribute their work to the request's route). Opt-in variant:
// BENCH_VARIANTS=bare,perfwatch,perfwatch-context
const express = require('express');
const { perfwatch } = require('../../exporter/library/dist/index.js');
const { routes, listen } = require('./common.cjs');
const pw = perfwatch({ defaultMetrics: true });
pw.recorder.useContext();
const app = express();
app.use(pw.express({ express }));
routes(app);
app.get('/metrics', pw.metricsHandler());
listen(app);
