// Shared by every variant: one route, a small JSON body, and the port reported to the parent over IPC
// (or printed, when the server is started by hand: `PORT=3000 node bench/servers/perfwatch.cjs`).
exports.routes = (app) => {
  app.get('/users/:id', (req, res) => res.json({ id: req.params.id, name: 'Ada', roles: ['admin'] }));
};
exports.listen = (app) => {
  const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    const { port } = server.address();
    if (process.send) process.send({ port });
    else console.log(`listening on http://127.0.0.1:${port}`);
  });
  server.on('error', (err) => {
    console.error(err);
    process.exit(1);
  });
};
// What the parent reads before and after each round (bench/http.mjs): CPU time and garbage collection,
// to tell where each variant's extra time per request goes. A gc PerformanceObserver is what
// prom-client's default metrics install anyway; every variant gets this one, so it costs them alike.
const { PerformanceObserver, constants } = require('node:perf_hooks');
const gc = { minor: 0, minorMs: 0, major: 0, majorMs: 0, maxMs: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const major = e.detail?.kind !== constants.NODE_PERFORMANCE_GC_MINOR;
    if (major) {
      gc.major++;
      gc.majorMs += e.duration;
    } else {
      gc.minor++;
      gc.minorMs += e.duration;
    }
    gc.maxMs = Math.max(gc.maxMs, e.duration);
  }
}).observe({ entryTypes: ['gc'] });
process.on('message', (m) => {
  if (m === 'stats') {
    const cpu = process.cpuUsage();
    process.send({ stats: { ...gc, cpuUs: cpu.user + cpu.system } });
    gc.maxMs = 0;
  }
});
// A clean exit on SIGINT so `node --cpu-prof` writes its profile; and none left behind by the parent.
process.on('SIGINT', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
