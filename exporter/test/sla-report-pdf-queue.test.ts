import { PdfBusyError, PdfQueue } from '../src/sla/report-pdf';

/** A job that runs until released, recording that it started. */
function gate(started: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return {
    job: async () => {
      started.push(name);
      await done;
      return name;
    },
    release,
  };
}

test('prints one at a time, in order, with two waiting, and refuses a third waiting print', async () => {
  const started: string[] = [];
  const queue = new PdfQueue(2);
  const [a, b, c] = ['a', 'b', 'c'].map((n) => gate(started, n));
  const pa = queue.run(a.job);
  await new Promise((r) => setImmediate(r));
  expect(started).toEqual(['a']);
  const pb = queue.run(b.job);
  const pc = queue.run(c.job);
  await expect(queue.run(async () => 'd')).rejects.toBeInstanceOf(PdfBusyError);
  a.release();
  expect(await pa).toBe('a');
  await new Promise((r) => setImmediate(r));
  expect(started).toEqual(['a', 'b']);
  b.release();
  c.release();
  expect([await pb, await pc]).toEqual(['b', 'c']);
  expect(await queue.run(async () => 'e')).toBe('e');
});

test('a failed print does not stop the next one', async () => {
  const queue = new PdfQueue(2);
  const failed = queue.run(async () => {
    throw new Error('browser crashed');
  });
  const next = queue.run(async () => 'next');
  await expect(failed).rejects.toThrow('browser crashed');
  expect(await next).toBe('next');
});
