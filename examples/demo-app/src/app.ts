/**
 * The Perfwatch demo: a small shop API instrumented in-process with @perfwatch/exporter. It uses
 * PostgreSQL (pg), a BullMQ queue and multipart uploads (multer) the way a real app would, and can be
 * switched into degraded phases (see phases.ts) through PUT /admin/phase.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { rm, stat, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { perfwatch, type PerfwatchOptions } from '@perfwatch/exporter';
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import express, { type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import pg from 'pg';
import { parsePhase, PhaseError, phaseName, PHASES, type Fault } from './phases';
import { PRODUCT_COUNT, prepareSchema, quoteIdent } from './schema';

export interface DemoOptions {
  port: number;
  host?: string;
  databaseUrl: string;
  /** PostgreSQL schema holding the shop's tables (tests use a private one). */
  schema?: string;
  redisUrl: string;
  /** BullMQ key prefix (tests use a private one). */
  queuePrefix?: string;
  uploadDir: string;
  /** Required as a bearer token on /admin/* when set. */
  adminToken?: string;
  phase?: string;
  perfwatch?: PerfwatchOptions;
  /** Where phase changes are logged (one JSON line each); console.log by default. */
  log?: (line: string) => void;
}

export interface RunningDemo {
  url: string;
  port: number;
  phase(): string;
  setPhase(text: string): void;
  stop(): Promise<void>;
}

const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

function redisConnection(url: string): ConnectionOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    // BullMQ workers block on Redis; they must not give up on a slow command.
    maxRetriesPerRequest: null,
  };
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

export async function startDemo(opts: DemoOptions): Promise<RunningDemo> {
  let faults: Set<Fault> = parsePhase(opts.phase ?? 'normal');
  const has = (f: Fault) => faults.has(f);

  // Perfwatch first, so the pg hook and the Express router patch are in place before use.
  const pw = perfwatch({ ...opts.perfwatch, queries: { slowThresholdMs: 100, ...opts.perfwatch?.queries } });
  pw.instrumentPg(pg);

  const schema = opts.schema ?? 'demo_shop';
  const pool = new pg.Pool({
    connectionString: opts.databaseUrl,
    max: 10,
    options: `-c search_path=${quoteIdent(schema)}`,
  });
  pw.trackPgPool(pool, 'shop');
  await prepareSchema(pool, schema);

  const connection = redisConnection(opts.redisUrl);
  const prefix = opts.queuePrefix ?? 'perfwatch-demo';
  const receipts = new Queue('receipts', { connection, prefix });
  const reports = new Queue('reports', { connection, prefix });
  pw.trackBullmqQueue(receipts);
  pw.trackBullmqQueue(reports);

  const uploadDir = path.resolve(opts.uploadDir);
  mkdirSync(path.join(uploadDir, 'incoming'), { recursive: true });
  mkdirSync(path.join(uploadDir, 'reports'), { recursive: true });

  const receiptWorker = new Worker(
    'receipts',
    pw.bullmqProcessor('receipts', async (job: Job) => {
      const { rows } = await pool.query('select id, total_cents from orders where id = $1', [
        job.data.orderId,
      ]);
      await sleep(5 + Math.random() * 20); // rendering and sending the mail
      return { sent: rows.length };
    }),
    { connection, prefix, concurrency: 4 },
  );
  const reportWorker = new Worker(
    'reports',
    pw.bullmqProcessor('reports', async (job: Job) => {
      const { rows } = await pool.query(
        'select o.id, o.created_at, o.total_cents, count(i.*) as items from orders o join order_items i on i.order_id = o.id group by o.id order by o.id desc limit $1',
        [job.data.rows ?? 500],
      );
      const csv = [
        'id,created_at,total_cents,items',
        ...rows.map((r) => `${r.id},${r.created_at.toISOString()},${r.total_cents},${r.items}`),
      ].join('\n');
      const file = path.join(uploadDir, 'reports', `report-${job.id}.csv.gz`);
      const bytes = await pw.measure(
        'bundle',
        async () => {
          const gz = gzipSync(csv);
          // The report store is down in this phase: the bundle fails, the job is retried, then fails.
          if (has('failing-jobs')) throw new Error('report storage unavailable');
          await writeFile(file, gz);
          return gz.length;
        },
        { bytes: (n) => n },
      );
      await rm(file, { force: true }); // the demo keeps no reports: the disk must not fill up
      return { rows: rows.length, bytes };
    }),
    { connection, prefix, concurrency: 2 },
  );
  // Failures are expected in the failing-jobs phase and recorded by Perfwatch; keep the console quiet.
  for (const w of [receiptWorker, reportWorker]) w.on('error', () => undefined);

  const upload = multer({
    storage: multer.diskStorage({
      destination: path.join(uploadDir, 'incoming'),
      filename: (_req, _file, cb) => cb(null, randomBytes(12).toString('hex')),
    }),
    limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 },
  });

  const app = express();
  app.use(pw.express());
  app.use(express.json({ limit: '100kb' }));

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/metrics', pw.metricsHandler());

  app.get('/api/products/:id', async (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isInteger(id) || id < 1) {
      res.status(400).json({ error: 'product id must be a positive integer' });
      return;
    }
    const { rows } = await pool.query(
      'select p.id, p.name, p.category, p.price_cents, p.stock, coalesce(avg(r.rating), 0)::float as rating from products p left join reviews r on r.product_id = p.id where p.id = $1 group by p.id',
      [id],
    );
    if (rows.length === 0) res.status(404).json({ error: `no product ${id}` });
    else res.json(rows[0]);
  });

  app.get('/api/products', async (req, res) => {
    const category = typeof req.query.category === 'string' ? req.query.category : 'books';
    if (has('n-plus-one')) {
      // The classic N+1: one query for the list, then one per product for its reviews.
      const { rows } = await pool.query(
        'select id, name, price_cents from products where category = $1 order by id limit 20',
        [category],
      );
      for (const p of rows) {
        const r = await pool.query('select count(*)::int as reviews from reviews where product_id = $1', [
          p.id,
        ]);
        p.reviews = r.rows[0].reviews;
      }
      res.json(rows);
      return;
    }
    const { rows } = await pool.query(
      'select p.id, p.name, p.price_cents, count(r.id)::int as reviews from products p left join reviews r on r.product_id = p.id where p.category = $1 group by p.id order by p.id limit 20',
      [category],
    );
    res.json(rows);
  });

  app.get('/api/search', async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 100) : '';
    // One search in two hundred misses the cache and scans: a trickle of real slow queries, below
    // what the slow-query burst alert counts as a burst.
    const coldCache = Math.random() < 0.005 ? 0.15 : 0;
    const { rows } = await pool.query(
      'select id, name, price_cents from products, pg_sleep($2) where name ilike $1 order by id limit 20',
      [`%${q}%`, coldCache],
    );
    res.json(rows);
  });

  app.post('/api/checkout', async (req, res) => {
    const productId = Number(req.body?.productId);
    const qty = Number(req.body?.qty ?? 1);
    if (
      !Number.isInteger(productId) ||
      productId < 1 ||
      productId > PRODUCT_COUNT ||
      !(qty >= 1 && qty <= 10)
    ) {
      res.status(400).json({ error: `productId must be 1…${PRODUCT_COUNT} and qty 1…10` });
      return;
    }
    const client = await pool.connect();
    let orderId: number;
    try {
      await client.query('begin');
      // An overloaded database in this phase: a quarter of checkouts hit the statement timeout.
      if (has('error-burst') && Math.random() < 0.25) {
        await client.query("set local statement_timeout = '5ms'");
        await client.query('select pg_sleep(0.05)');
      }
      // Lock contention on the product row during the slow-checkout phase.
      if (has('slow-checkout')) await client.query('select pg_sleep(1.2)');
      const { rows } = await client.query('select price_cents from products where id = $1 for update', [
        productId,
      ]);
      const total = rows[0].price_cents * qty;
      const order = await client.query(
        "insert into orders (total_cents, status) values ($1, 'paid') returning id",
        [total],
      );
      orderId = order.rows[0].id;
      await client.query(
        'insert into order_items (order_id, product_id, qty, price_cents) values ($1, $2, $3, $4)',
        [orderId, productId, qty, rows[0].price_cents],
      );
      await client.query('update products set stock = stock - $2 where id = $1', [productId, qty]);
      await client.query('commit');
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    await receipts.add('send-receipt', { orderId }, { removeOnComplete: 1000, removeOnFail: 1000 });
    res.status(201).json({ orderId });
  });

  const receiveUpload = upload.single('file');
  app.post('/api/upload', async (req, res) => {
    // Timed from the first byte to the file stored on disk.
    await pw.measure(
      'upload',
      () =>
        new Promise<void>((resolve, reject) =>
          receiveUpload(req, res, (err?: unknown) => (err ? reject(err) : resolve())),
        ),
      { bytes: () => req.file?.size },
    );
    const file = req.file;
    if (!file) {
      res.status(400).json({ error: 'send a multipart form with a "file" field' });
      return;
    }
    try {
      const gz = `${file.path}.gz`;
      await pw.measure(
        'compress',
        () => pipeline(createReadStream(file.path), createGzip(), createWriteStream(gz)),
        {
          bytes: file.size,
        },
      );
      const compressed = (await stat(gz)).size;
      res.status(201).json({ bytes: file.size, compressed });
      await rm(gz, { force: true });
    } finally {
      await rm(file.path, { force: true });
    }
  });

  app.post('/api/reports/export', async (req, res) => {
    const rows = Math.min(Math.max(Number(req.body?.rows ?? 500) || 500, 1), 5000);
    const job = await reports.add(
      'export-report',
      { rows },
      { attempts: 2, backoff: { type: 'fixed', delay: 200 }, removeOnComplete: 1000, removeOnFail: 1000 },
    );
    res.status(202).json({ jobId: job.id });
  });

  const admin = express.Router();
  admin.use((req, res, next) => {
    if (!opts.adminToken) return next();
    const given = Buffer.from(req.get('authorization')?.replace(/^Bearer /, '') ?? '');
    const want = Buffer.from(opts.adminToken);
    if (given.length === want.length && timingSafeEqual(given, want)) return next();
    res.status(401).json({ error: 'send Authorization: Bearer <DEMO_ADMIN_TOKEN>' });
  });
  admin.get('/phase', (_req, res) => {
    res.json({ phase: phaseName(faults), phases: PHASES });
  });
  admin.put('/phase', (req, res) => {
    const text = typeof req.body?.phase === 'string' ? req.body.phase : '';
    try {
      faults = parsePhase(text || 'normal');
    } catch (err) {
      if (err instanceof PhaseError) {
        res.status(400).json({ error: err.message });
        return;
      }
      throw err;
    }
    (opts.log ?? console.log)(
      JSON.stringify({ msg: 'phase changed', phase: phaseName(faults), time: new Date().toISOString() }),
    );
    res.json({ phase: phaseName(faults) });
  });
  app.use('/admin', admin);

  app.use(pw.errorHandler());
  // Express 5 forwards async throws here; answer JSON, never a stack trace.
  app.use((err: Error & { code?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof multer.MulterError) {
      res.status(err.code === 'LIMIT_FILE_SIZE' ? 413 : 400).json({ error: err.message });
      return;
    }
    res.status(500).json({ error: err.message });
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const host = !opts.host || opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host;

  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    phase: () => phaseName(faults),
    setPhase: (text) => {
      faults = parsePhase(text);
    },
    stop: () =>
      (stopping ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await Promise.allSettled([receiptWorker.close(), reportWorker.close()]);
        await Promise.allSettled([receipts.close(), reports.close()]);
        await pool.end();
        // Writes the last slow-query samples to the service's store.
        await pw.close();
      })()),
  };
}
