// express-prom-bundle's defaults (status_code label, /metrics route) plus method and path labels, so it
// records what Perfwatch records, and prom-client's default metrics as Perfwatch has them on.
const express = require('express');
const promBundle = require('express-prom-bundle');
const { routes, listen } = require('./common.cjs');
const app = express();
app.use(
  promBundle({
    includeMethod: true,
    includePath: true,
    promClient: { collectDefaultMetrics: {} },
  }),
);
routes(app);
listen(app);
