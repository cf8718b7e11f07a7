import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { perfwatch } from '../src';
import { series } from './support/prom-text';

describe('measure()', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pw-measure-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('compressing a real file records duration and the bytes produced', async () => {
    const pw = perfwatch({ defaultMetrics: false });
    const file = path.join(dir, 'data.json');
    writeFileSync(file, JSON.stringify(Array.from({ length: 20000 }, (_, i) => ({ i, name: `row ${i}` }))));
    const gz = await pw.measure('compress', () => gzipSync(readFileSync(file)), { bytes: (b) => b.length });
    const text = await pw.registry.metrics();
    expect(
      series(text, 'file_operation_duration_seconds_count', { operation: 'compress', status: 'ok' })[0].value,
    ).toBe(1);
    expect(series(text, 'file_operation_bytes_sum', { operation: 'compress' })[0].value).toBe(gz.length);
    expect(series(text, 'file_operation_bytes_bucket', { operation: 'compress', le: '1024' })[0].value).toBe(
      0,
    );
  });

  test('a failing operation is recorded as an error and rethrown unchanged', async () => {
    const pw = perfwatch({ defaultMetrics: false });
    const boom = new Error('disk full');
    await expect(pw.measure('bundle', () => Promise.reject(boom))).rejects.toBe(boom);
    expect(
      series(await pw.registry.metrics(), 'file_operation_duration_seconds_count', {
        operation: 'bundle',
        status: 'error',
      })[0].value,
    ).toBe(1);
  });
});
