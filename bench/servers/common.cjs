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
// A clean exit on SIGINT so `node --cpu-prof` writes its profile; and none left behind by the parent.
process.on('SIGINT', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
