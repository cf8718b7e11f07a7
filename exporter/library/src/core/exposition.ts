import { setImmediate as nextTurn } from 'node:timers/promises';
import { Registry, type RegistryContentType } from 'prom-client';
import {
  cumulativeBucketCounts,
  type HistogramSeries,
  type HistogramState,
  histogramState,
} from './histogram-state';

/** Longest the renderer works before it lets the event loop run (other requests, timers). */
export const DEFAULT_SLICE_MS = 2;
/** Lines written between two looks at the clock. */
const LINES_PER_CHECK = 128;

/** What prom-client's metrics hand its registry (its typings do not describe these fields). */
interface MetricValue {
  value: number;
  labels?: Record<string, string | number>;
  metricName?: string;
  sharedLabels?: Record<string, string | number>;
  exemplar?: { labelSet: Record<string, string | number>; value: number; timestamp: number } | null;
}
interface MetricData {
  name: string;
  help: string;
  type: string;
  values?: MetricValue[];
}
interface Renderable {
  name: string;
  type: string;
  get(): Promise<MetricData> | MetricData;
  getForPromString?(): Promise<MetricData> | MetricData;
}

const NEEDS_ESCAPE = /[\\\n"]/;
const escapeString = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
// One test per value instead of prom-client's three replaces: label values rarely need escaping.
const escapeLabelValue = (v: string | number) =>
  typeof v !== 'string' || !NEEDS_ESCAPE.test(v) ? v : escapeString(v).replace(/"/g, '\\"');

function valueString(v: number): string {
  if (Number.isNaN(v)) return 'Nan';
  if (!Number.isFinite(v)) return v < 0 ? '-Inf' : '+Inf';
  return `${v}`;
}

function formatLabels(labels: Record<string, string | number>, exclude?: object): string {
  let out = '';
  for (const name in labels) {
    if (exclude !== undefined && Object.prototype.hasOwnProperty.call(exclude, name)) continue;
    out += `${out === '' ? '' : ','}${name}="${escapeLabelValue(labels[name])}"`;
  }
  return out;
}

/** A histogram's series labels, shared by its bucket, sum and count lines; the objects outlive scrapes. */
const sharedCache = new WeakMap<object, string>();
function formatShared(labels: Record<string, string | number>): string {
  let text = sharedCache.get(labels);
  if (text === undefined) sharedCache.set(labels, (text = formatLabels(labels)));
  return text;
}

/** The lines of one histogram series, as prom-client writes them. */
function histogramSeriesLines(name: string, upperBounds: readonly number[], series: HistogramSeries): string {
  const shared = formatShared(series.labels);
  const tail = shared === '' ? '}' : `,${shared}}`;
  const counts = cumulativeBucketCounts(upperBounds, series);
  let text = '';
  for (let b = 0; b < upperBounds.length; b++) {
    text += `\n${name}_bucket{le="${upperBounds[b]}"${tail} ${valueString(counts[b])}`;
  }
  const labels = shared === '' ? '' : `{${shared}}`;
  return `${text}\n${name}_bucket{le="+Inf"${tail} ${valueString(series.count)}\n${name}_sum${labels} ${valueString(series.sum)}\n${name}_count${labels} ${valueString(series.count)}`;
}

/** Series rendered between two looks at the clock. */
const SERIES_PER_CHECK = 16;

/**
 * Writes a registry as prom-client's `registry.metrics()` renders it, byte for byte (tests compare
 * them), in slices of at most `sliceMs` between which the event loop runs, each slice handed to
 * `write` as it is done. prom-client renders each family in one synchronous pass and the response
 * went out as one string, so a scrape of ten thousand series held every other request for tens of
 * milliseconds; hand-written because prom-client offers no incremental renderer. Every family is
 * collected before the first write, so a failed collection fails the scrape before anything is sent.
 * Registries with default labels are left to prom-client (Perfwatch sets none).
 */
export async function writeMetrics(
  registry: Registry<RegistryContentType>,
  write: (chunk: string) => void,
  sliceMs = DEFAULT_SLICE_MS,
): Promise<void> {
  const defaults = (registry as unknown as { _defaultLabels?: object })._defaultLabels;
  if (defaults !== undefined && Object.keys(defaults).length > 0) return write(await registry.metrics());
  const openMetrics = registry.contentType === Registry.OPENMETRICS_CONTENT_TYPE;
  let sliceStart = performance.now();
  let text = '';
  const breathe = async () => {
    if (performance.now() - sliceStart < sliceMs) return;
    if (text !== '') write(text);
    text = '';
    await nextTurn();
    sliceStart = performance.now();
  };

  // Every family's collection starts before any is awaited, as in prom-client (async collects, such
  // as a queue's depth, run side by side); the synchronous part of each is its own slice.
  const pending: Array<Promise<MetricData | HistogramState>> = [];
  for (const m of registry.getMetricsAsArray() as unknown as Renderable[]) {
    if (openMetrics && m.type === 'counter') m.name = m.name.replace(/_total$/, '');
    // A histogram is read from its own state, series by series: its get() builds an object for every
    // line of every series in one synchronous call (several milliseconds for ten thousand lines), and
    // read here the renderer can pause between series. Exemplars or another shape go through get().
    const histogram = histogramState(m);
    if (histogram) pending.push(Promise.resolve(histogram.collect?.()).then(() => histogram));
    else pending.push(Promise.resolve(m.getForPromString ? m.getForPromString() : m.get()));
    // A rejected collection is awaited below; until then it must not count as unhandled.
    pending.at(-1)?.catch(() => undefined);
    await breathe();
  }
  const collected = await Promise.all(pending);

  // A histogram's bucket, sum and count lines come one after another with the same shared labels.
  let lastShared: object | undefined;
  let lastSharedText = '';
  for (let f = 0; f < collected.length; f++) {
    const metric = collected[f];
    const name = escapeString(metric.name);
    if (f > 0) text += openMetrics ? '\n' : '\n\n';
    text += `# HELP ${name} ${escapeString(metric.help)}\n# TYPE ${name} ${metric.type}`;
    if ('hashMap' in metric) {
      const all = Object.values(metric.hashMap);
      for (let i = 0; i < all.length; i++) {
        text += histogramSeriesLines(metric.name, metric.upperBounds, all[i]);
        if (i % SERIES_PER_CHECK === SERIES_PER_CHECK - 1) await breathe();
      }
      await breathe();
      continue;
    }
    const counter = openMetrics && metric.type === 'counter';
    const values = metric.values ?? [];
    for (let i = 0; i < values.length; i++) {
      const val = values[i];
      let metricName = val.metricName ?? name;
      if (counter) metricName = `${metricName}_total`;
      const shared = val.sharedLabels;
      const own = val.labels === undefined ? '' : formatLabels(val.labels, shared);
      if (shared !== lastShared) {
        lastShared = shared;
        lastSharedText = shared === undefined ? '' : formatShared(shared);
      }
      const sharedText = lastSharedText;
      const labels = own !== '' && sharedText !== '' ? `${own},${sharedText}` : own + sharedText;
      text += `\n${metricName}${labels === '' ? '' : `{${labels}}`} ${valueString(val.value)}`;
      const ex = val.exemplar;
      if (ex && openMetrics)
        text += ` # {${formatLabels(ex.labelSet)}} ${valueString(ex.value)} ${ex.timestamp}`;
      if (i % LINES_PER_CHECK === LINES_PER_CHECK - 1) await breathe();
    }
    await breathe();
  }
  write(`${text}${openMetrics ? '\n# EOF\n' : '\n'}`);
}

/** The whole text of a registry, rendered as writeMetrics does. */
export async function renderMetrics(
  registry: Registry<RegistryContentType>,
  sliceMs = DEFAULT_SLICE_MS,
): Promise<string> {
  const chunks: string[] = [];
  await writeMetrics(registry, (chunk) => chunks.push(chunk), sliceMs);
  return chunks.join('');
}
