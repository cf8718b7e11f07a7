const express = require('express');
const { routes, listen } = require('./common.cjs');
const app = express();
routes(app);
app.get('/metrics', (_req, res) => res.send('# none\n'));
listen(app);
