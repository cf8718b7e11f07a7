import { randomBytes } from 'node:crypto';
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import busboy from 'busboy';
import express, { type ErrorRequestHandler } from 'express';
import multer from 'multer';
import { perfwatch, type Perfwatch } from '../src';
import { serve } from './support/http-app';
import { series } from './support/prom-text';

const dir = mkdtempSync(path.join(tmpdir(), 'pw-uploads-'));
const stored = path.join(dir, 'stored');
const busboyDir = path.join(dir, 'busboy');
let pw: Perfwatch;
let base: string;
let close: () => Promise<void>;

/** Real files of known sizes and random (incompressible) content. */
function realFile(name: string, bytes: number): string {
  const file = path.join(dir, name);
  writeFileSync(file, randomBytes(bytes));
  return file;
}

beforeAll(async () => {
  pw = perfwatch({ defaultMetrics: false });
  const app = express();
  app.use(pw.express({ express }));
  const disk = multer({ storage: pw.multerStorage(multer.diskStorage({ destination: stored })) });
  const small = multer({
    storage: pw.multerStorage(multer.diskStorage({ destination: stored }), { operation: 'avatar_upload' }),
    limits: { fileSize: 10 * 1024 },
  });
  const memory = multer({
    storage: pw.multerStorage(multer.memoryStorage(), { operation: 'memory_upload' }),
  });
  app.post('/documents', disk.array('file'), (req, res) => {
    const files = req.files as Express.Multer.File[];
    res.json(files.map((f) => ({ name: f.originalname, path: f.path, size: f.size })));
  });
  app.post('/avatar', small.single('file'), (_req, res) => {
    res.json({ ok: true });
  });
  app.post('/memory', memory.single('file'), (req, res) => {
    res.json({ size: req.file?.size });
  });
  app.post('/busboy', (req, res) => {
    const bb = pw.busboy(busboy({ headers: req.headers, limits: { fileSize: 64 * 1024 } }), {
      request: req,
      operation: 'import',
    });
    const writes: Array<Promise<void>> = [];
    bb.on('file', (_field, stream, info) => {
      const out = createWriteStream(path.join(busboyDir, path.basename(info.filename ?? 'unnamed')));
      writes.push(new Promise((resolve) => out.on('close', () => resolve())));
      stream.pipe(out);
    });
    bb.on('close', () => {
      void Promise.all(writes).then(() => res.json({ ok: true }));
    });
    req.pipe(bb);
  });
  app.use(((err, _req, res, _next) => {
    const tooLarge = err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE';
    res.status(tooLarge ? 413 : 500).json({ error: String(err) });
  }) as ErrorRequestHandler);
  ({ url: base, close } = await serve(app));
  mkdirSync(busboyDir, { recursive: true });
});

afterAll(async () => {
  await close();
  rmSync(dir, { recursive: true, force: true });
});

async function upload(route: string, files: string[]): Promise<Response> {
  const form = new FormData();
  for (const f of files) form.append('file', new Blob([readFileSync(f)]), path.basename(f));
  return fetch(`${base}${route}`, { method: 'POST', body: form });
}

/**
 * Sends the start of a multipart upload announcing more bytes than it sends, then drops the
 * connection: a user closing the tab mid-upload.
 */
async function abortedUpload(route: string, sentBytes: number): Promise<void> {
  const boundary = 'pwboundary';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  await new Promise<void>((resolve) => {
    const req = http.request(`${base}${route}`, {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + 10 * 1024 * 1024),
      },
    });
    req.on('error', () => resolve());
    req.write(head);
    req.write(randomBytes(sentBytes), () => {
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 100);
    });
  });
}

const scrape = () => pw.registry.metrics();
const value = async (name: string, labels: Record<string, string>) =>
  series(await scrape(), name, labels)[0]?.value ?? 0;

/** Waits until the server has seen what the client did (the abort reaches it asynchronously). */
async function eventually(name: string, labels: Record<string, string>, expected: number) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && (await value(name, labels)) !== expected)
    await new Promise((r) => setTimeout(r, 25));
  return value(name, labels);
}

describe('multer uploads', () => {
  test('stored files are recorded with their sizes, and stored intact', async () => {
    const a = realFile('report.pdf', 3 * 1024);
    const b = realFile('video.bin', 300 * 1024);
    const res = await upload('/documents', [a, b]);
    expect(res.status).toBe(200);
    const saved = (await res.json()) as Array<{ name: string; path: string; size: number }>;
    for (const [i, f] of [a, b].entries())
      expect(readFileSync(saved[i].path).equals(readFileSync(f))).toBe(true);

    const text = await scrape();
    expect(
      series(text, 'file_operation_duration_seconds_count', { operation: 'upload', status: 'ok' })[0].value,
    ).toBe(2);
    expect(series(text, 'file_operation_bytes_sum', { operation: 'upload' })[0].value).toBe(303 * 1024);
    expect(series(text, 'file_operation_bytes_bucket', { operation: 'upload', le: '4096' })[0].value).toBe(1);
    expect(series(text, 'file_operation_bytes_bucket', { operation: 'upload', le: '262144' })[0].value).toBe(
      1,
    );
    expect(series(text, 'file_operation_bytes_bucket', { operation: 'upload', le: '1048576' })[0].value).toBe(
      2,
    );
  });

  test('a file over the size limit is recorded as too_large and not kept', async () => {
    const before = readdirSync(stored).length;
    const res = await upload('/avatar', [realFile('huge.png', 100 * 1024)]);
    expect(res.status).toBe(413);
    expect(
      await value('file_operation_duration_seconds_count', {
        operation: 'avatar_upload',
        status: 'too_large',
      }),
    ).toBe(1);
    expect(
      await value('file_operation_duration_seconds_count', { operation: 'avatar_upload', status: 'ok' }),
    ).toBe(0);
    expect(readdirSync(stored).length).toBe(before);
  });

  test('a file within the limit on the same route is ok', async () => {
    const res = await upload('/avatar', [realFile('small.png', 5 * 1024)]);
    expect(res.status).toBe(200);
    expect(
      await value('file_operation_duration_seconds_count', { operation: 'avatar_upload', status: 'ok' }),
    ).toBe(1);
  });

  test('an upload the client abandons is recorded as aborted', async () => {
    await abortedUpload('/documents', 256 * 1024);
    expect(
      await eventually(
        'file_operation_duration_seconds_count',
        { operation: 'upload', status: 'aborted' },
        1,
      ),
    ).toBe(1);
  });

  test('an abandoned upload into memory storage (no error listener) is recorded and crashes nothing', async () => {
    await abortedUpload('/memory', 64 * 1024);
    expect(
      await eventually(
        'file_operation_duration_seconds_count',
        { operation: 'memory_upload', status: 'aborted' },
        1,
      ),
    ).toBe(1);
    const res = await upload('/memory', [realFile('after.txt', 2048)]);
    expect(await res.json()).toEqual({ size: 2048 });
  });
});

describe('busboy uploads', () => {
  test('files read by the app are recorded with their sizes', async () => {
    const f = realFile('photo.jpg', 20 * 1024);
    expect((await upload('/busboy', [f])).status).toBe(200);
    expect(readFileSync(path.join(busboyDir, 'photo.jpg')).equals(readFileSync(f))).toBe(true);
    const labels = { operation: 'import' };
    expect(await value('file_operation_duration_seconds_count', { ...labels, status: 'ok' })).toBe(1);
    expect(await value('file_operation_bytes_sum', labels)).toBe(20 * 1024);
    expect(await value('file_operation_bytes_bucket', { ...labels, le: '16384' })).toBe(0);
    expect(await value('file_operation_bytes_bucket', { ...labels, le: '65536' })).toBe(1);
  });

  test('a file over busboy’s limit is recorded as too_large', async () => {
    await upload('/busboy', [realFile('too-big.jpg', 100 * 1024)]);
    expect(
      await value('file_operation_duration_seconds_count', { operation: 'import', status: 'too_large' }),
    ).toBe(1);
  });

  test('an upload the client abandons is recorded as aborted when the request is passed', async () => {
    await abortedUpload('/busboy', 32 * 1024);
    expect(
      await eventually(
        'file_operation_duration_seconds_count',
        { operation: 'import', status: 'aborted' },
        1,
      ),
    ).toBe(1);
  });
});
