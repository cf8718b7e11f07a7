import { setImmediate as nextTurn } from 'node:timers/promises';
import { Registry, type RegistryContentType } from 'prom-client';

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

/**
 * Renders a registry as prom-client's `registry.metrics()` does, byte for byte (tests compare them),
 * in slices of at most `sliceMs` between which the event loop runs. prom-client renders each family
 * in one synchronous pass, so a scrape of ten thousand series held every other request for tens of
 * milliseconds; hand-written because prom-client offers no incremental renderer. Registries with
 * default labels are left to prom-client (Perfwatch sets none).
 */
export async function renderMetrics(
  registry: Registry<RegistryContentType>,
  sliceMs = DEFAULT_SLICE_MS,
): Promise<string> {
  const defaults = (registry as unknown as { _defaultLabels?: object })._defaultLabels;
  if (defaults !== undefined && Object.keys(defaults).length > 0) return registry.metrics();
  const openMetrics = registry.contentType === Registry.OPENMETRICS_CONTENT_TYPE;
  let sliceStart = performance.now();
  const breathe = async () => {
    if (performance.now() - sliceStart < sliceMs) return;
    await nextTurn();
    sliceStart = performance.now();
  };

  // Every family's collection starts before any is awaited, as in prom-client (async collects, such
  // as a queue's depth, run side by side); the synchronous part of each is its own slice.
  const pending: Array<Promise<MetricData>> = [];
  for (const m of registry.getMetricsAsArray() as unknown as Renderable[]) {
    if (openMetrics && m.type === 'counter') m.name = m.name.replace(/_total$/, '');
    pending.push(Promise.resolve(m.getForPromString ? m.getForPromString() : m.get()));
    // A rejected collection is awaited below; until then it must not count as unhandled.
    pending.at(-1)?.catch(() => undefined);
    await breathe();
  }

  const families: string[] = [];
  for (const p of pending) {
    const metric = await p;
    const name = escapeString(metric.name);
    let text = `# HELP ${name} ${escapeString(metric.help)}\n# TYPE ${name} ${metric.type}`;
    const counter = openMetrics && metric.type === 'counter';
    const values = metric.values ?? [];
    for (let i = 0; i < values.length; i++) {
      const val = values[i];
      let metricName = val.metricName ?? name;
      if (counter) metricName = `${metricName}_total`;
      const shared = val.sharedLabels;
      const own = val.labels === undefined ? '' : formatLabels(val.labels, shared);
      const sharedText = shared === undefined ? '' : formatShared(shared);
      const labels = own !== '' && sharedText !== '' ? `${own},${sharedText}` : own + sharedText;
      text += `\n${metricName}${labels === '' ? '' : `{${labels}}`} ${valueString(val.value)}`;
      const ex = val.exemplar;
      if (ex && openMetrics)
        text += ` # {${formatLabels(ex.labelSet)}} ${valueString(ex.value)} ${ex.timestamp}`;
      if (i % LINES_PER_CHECK === LINES_PER_CHECK - 1) await breathe();
    }
    families.push(text);
    await breathe();
  }
  return openMetrics ? `${families.join('\n')}\n# EOF\n` : `${families.join('\n\n')}\n`;
}
