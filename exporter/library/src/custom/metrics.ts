import { Counter, Gauge, Histogram } from 'prom-client';
import type { Recorder } from '../core/recorder';
import { describeProblems } from '../problems';
import {
  type CustomMetricDefinition,
  type CustomMetricInput,
  customMetricDefinition,
  customMetricProblems,
  type CustomMetricType,
  seriesNames,
} from './config';

export type Labels = Record<string, string>;

export class CustomMetricError extends Error {
  override name = 'CustomMetricError';
}

/** What a sample asks of a metric: counters add, histograms observe, gauges set or add. */
export type SampleOp = 'set' | 'add';

interface Declared {
  definition: CustomMetricDefinition;
  metric: Counter<string> | Gauge<string> | Histogram<string>;
}

export interface CustomCounter {
  /** Adds `value` (default 1, never negative). */
  inc(labels?: Labels, value?: number): void;
}
export interface CustomGauge {
  set(labels: Labels, value: number): void;
  /** Adds `value` (negative to subtract). */
  add(labels: Labels, value: number): void;
}
export interface CustomHistogram {
  observe(labels: Labels, value: number): void;
  /** Starts a timer; calling the result observes the seconds elapsed. */
  startTimer(labels?: Labels): () => number;
}

type Options = { help: string; labelNames?: string[] };

/**
 * Custom business metrics (logins by outcome, export generation time, …), declared with their label
 * names and subject to the same caps as built-in families: every label value goes through the
 * recorder's per-label cap, and values longer than `maxLabelLength` are refused.
 *
 * Declaring validates and may throw (it happens at start-up). Recording never throws: monitoring must
 * not break the app, so a bad sample is dropped, counted in
 * perfwatch_dropped_total{component="custom_metrics"} and reported once as a process warning.
 */
export class CustomMetrics {
  private readonly declared = new Map<string, Declared>();
  private readonly warned = new Set<string>();

  constructor(
    private readonly recorder: Recorder,
    private readonly maxLabelLength = 128,
  ) {}

  /** Declares a metric; declaring the same definition again returns the existing one. */
  declare(input: CustomMetricInput): CustomMetricDefinition {
    const problems = customMetricProblems(input);
    if (problems.length)
      throw new CustomMetricError(
        `custom metric ${JSON.stringify(input.name)}: ${describeProblems(problems)}`,
      );
    const def = customMetricDefinition(input);
    const existing = this.declared.get(def.name);
    if (existing) {
      if (JSON.stringify(existing.definition) === JSON.stringify(def)) return existing.definition;
      throw new CustomMetricError(`custom metric ${def.name} is already declared differently`);
    }
    for (const s of seriesNames(def.name, def.type))
      for (const m of this.recorder.registry.getMetricsAsArray()) {
        const { name, type } = m as unknown as { name: string; type: string };
        if (seriesNames(name, type).includes(s))
          throw new CustomMetricError(
            `custom metric ${def.name} collides with the registered family ${name}`,
          );
      }
    const common = {
      name: def.name,
      help: def.help,
      labelNames: def.labelNames,
      registers: [this.recorder.registry],
    };
    const metric =
      def.type === 'counter'
        ? new Counter(common)
        : def.type === 'gauge'
          ? new Gauge(common)
          : new Histogram({ ...common, ...(def.buckets ? { buckets: def.buckets } : {}) });
    this.declared.set(def.name, { definition: def, metric });
    return def;
  }

  definition(name: string): CustomMetricDefinition | undefined {
    return this.declared.get(name)?.definition;
  }

  get names(): string[] {
    return [...this.declared.keys()];
  }

  counter(name: string, options: Options): CustomCounter {
    this.declare({ name, type: 'counter', ...options });
    return {
      inc: (labels = {}, value = 1) => this.recordOrDrop(name, labels, value, 'add'),
    };
  }

  gauge(name: string, options: Options): CustomGauge {
    this.declare({ name, type: 'gauge', ...options });
    return {
      set: (labels, value) => this.recordOrDrop(name, labels, value, 'set'),
      add: (labels, value) => this.recordOrDrop(name, labels, value, 'add'),
    };
  }

  histogram(name: string, options: Options & { buckets?: number[] }): CustomHistogram {
    this.declare({ name, type: 'histogram', ...options });
    return {
      observe: (labels, value) => this.recordOrDrop(name, labels, value, 'add'),
      startTimer: (labels = {}) => {
        const start = performance.now();
        return () => {
          const seconds = (performance.now() - start) / 1000;
          this.recordOrDrop(name, labels, seconds, 'add');
          return seconds;
        };
      },
    };
  }

  /**
   * Records one sample, or returns why it cannot be recorded (the field path first, as the ingestion
   * report shows it). `op` only matters for gauges; counters always add and histograms observe.
   */
  record(name: string, labels: Labels, value: number, op: SampleOp = 'set'): string | undefined {
    const d = this.declared.get(name);
    if (!d)
      return `name: ${JSON.stringify(name.slice(0, 100))} is not a declared custom metric; declare it under customMetrics: in the service config`;
    const { definition: def } = d;
    const problem = this.labelProblem(def, labels) ?? valueProblem(def.type, value);
    if (problem) return problem;
    const capped: Labels = {};
    for (const l of def.labelNames) capped[l] = this.recorder.label(def.name, l, labels[l]);
    if (d.metric instanceof Counter) d.metric.inc(capped, value);
    else if (d.metric instanceof Gauge) {
      if (op === 'add') d.metric.inc(capped, value);
      else d.metric.set(capped, value);
    } else d.metric.observe(capped, value);
    return undefined;
  }

  private recordOrDrop(name: string, labels: Labels, value: number, op: SampleOp): void {
    const problem = this.record(name, labels, value, op);
    if (problem === undefined) return;
    this.recorder.drop('custom_metrics', 'invalid_sample');
    const key = `${name}\u0000${problem.split(':')[0]}`;
    if (!this.warned.has(key) && this.warned.size < 1000) {
      this.warned.add(key);
      process.emitWarning(`${name}: ${problem} (sample dropped)`, 'PerfwatchWarning');
    }
  }

  private labelProblem(def: CustomMetricDefinition, labels: Labels): string | undefined {
    if (typeof labels !== 'object' || labels === null) return 'labels: expected an object of label values';
    for (const key of Object.keys(labels))
      if (!def.labelNames.includes(key))
        return `labels.${key.slice(0, 64)}: not a label of ${def.name} (declared: ${def.labelNames.join(', ') || 'none'})`;
    for (const l of def.labelNames) {
      const v = Object.hasOwn(labels, l) ? labels[l] : undefined;
      if (typeof v !== 'string') return `labels.${l}: required, a string`;
      if (v.length > this.maxLabelLength)
        return `labels.${l}: longer than ${this.maxLabelLength} characters; label values name a small set of things`;
    }
    return undefined;
  }
}

function valueProblem(type: CustomMetricType, value: number): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'value: expected a finite number';
  if (type === 'counter' && value < 0) return 'value: a counter only goes up; expected a number >= 0';
  return undefined;
}
