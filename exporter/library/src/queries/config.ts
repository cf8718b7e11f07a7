import type { CallSiteMode } from './call-site';
import {
  describeProblems,
  isRecord,
  positiveInteger,
  positiveNumber,
  type Problem,
  unknownKeys,
} from '../problems';

export interface NormalisationRuleConfig {
  pattern: string;
  replacement: string;
}

export interface QueriesConfig {
  /** A query at least this slow is a slow query. */
  slowThresholdMs: number;
  /** Per-database overrides, keyed by db_system (postgresql, mysql) or database name. */
  thresholds: Record<string, number>;
  /** Samples kept per second at most; past it only a new slowest-in-the-second is kept. */
  maxSamplesPerSecond: number;
  /** Samples held in memory until written to the store; past it the oldest are dropped and counted. */
  ringSize: number;
  /**
   * How often buffered samples are written (in-process capture; ingestion writes before it answers).
   * A second's budget is at most twice maxSamplesPerSecond (the slowest-so-far exception), so the
   * ring must hold that many for one interval: 2 × 50/s × 5 s = 500 ≤ 1 000.
   */
  flushIntervalMs: number;
  retentionDays: number;
  /** The same fingerprint more often than this in one request or job is an N+1 suspicion. */
  nPlusOneThreshold: number;
  /**
   * When adapters take the stack for a sample's call site: `adaptive` (default) only for statements
   * that were slow or N+1 before, and briefly for all after such a sample; `always` for every query
   * (every sample has a call site, every query pays a few microseconds); `off` never.
   */
  callSites: CallSiteMode;
  /** Most stacks taken per second in adaptive mode. */
  callSiteStacksPerSecond: number;
  /** Keep raw SQL with literals in samples. Off by default: literals may be personal data or secrets. */
  rawLiterals: boolean;
  /** Extra normalisation applied to fingerprints, e.g. `tbl_\d+` → `tbl_N`. */
  normalisation: NormalisationRuleConfig[];
  /**
   * The service this app's slow-query samples are stored under: the Slow queries page groups and
   * filters by it. Ingested events take their batch's `app` instead. null: no name.
   */
  service: string | null;
}

export type QueriesConfigInput = Partial<QueriesConfig>;

export const DEFAULT_QUERIES_CONFIG: QueriesConfig = {
  slowThresholdMs: 100,
  thresholds: {},
  maxSamplesPerSecond: 50,
  ringSize: 1000,
  flushIntervalMs: 5_000,
  retentionDays: 7,
  nPlusOneThreshold: 5,
  callSites: 'adaptive',
  callSiteStacksPerSecond: 100,
  rawLiterals: false,
  normalisation: [],
  service: null,
};

/**
 * The characters of a service name: an ingested batch's `app` (a Prometheus label value there) and
 * queries.service follow one rule, so both kinds of name look alike and `(none)` is never one.
 */
export const SERVICE_NAME_CHARS = /^[\w.-]+$/;
/** The longest service name (the store's column). */
export const MAX_SERVICE_NAME = 64;

const CALL_SITE_MODES: readonly CallSiteMode[] = ['adaptive', 'always', 'off'];

type FieldCheck = (v: unknown) => string | undefined;
const FIELDS: Record<keyof QueriesConfig, FieldCheck> = {
  slowThresholdMs: positiveNumber,
  thresholds: (v) =>
    isRecord(v) && Object.values(v).every((t) => positiveNumber(t) === undefined)
      ? undefined
      : 'expected a map of names to positive numbers (milliseconds)',
  maxSamplesPerSecond: positiveInteger,
  ringSize: positiveInteger,
  flushIntervalMs: positiveInteger,
  retentionDays: positiveNumber,
  nPlusOneThreshold: positiveInteger,
  callSites: (v) =>
    CALL_SITE_MODES.includes(v as CallSiteMode) ? undefined : `expected one of ${CALL_SITE_MODES.join(', ')}`,
  callSiteStacksPerSecond: positiveInteger,
  rawLiterals: (v) => (typeof v === 'boolean' ? undefined : 'expected true or false'),
  service: (v) =>
    v === null || (typeof v === 'string' && v.length <= MAX_SERVICE_NAME && SERVICE_NAME_CHARS.test(v))
      ? undefined
      : 'expected a name of 1-64 letters, digits, "_", "." and "-"',
  normalisation: (v) => {
    if (!Array.isArray(v)) return 'expected a list of { pattern, replacement }';
    for (const r of v as unknown[]) {
      if (
        !isRecord(r) ||
        typeof r.pattern !== 'string' ||
        r.pattern === '' ||
        typeof r.replacement !== 'string' ||
        Object.keys(r).some((k) => k !== 'pattern' && k !== 'replacement')
      )
        return 'expected a list of { pattern, replacement } with a non-empty pattern';
      try {
        new RegExp(r.pattern, 'g');
      } catch {
        return 'every pattern must be a valid regular expression';
      }
    }
    return undefined;
  },
};

/** What is wrong with a `queries` input (every key optional; absent ones take the defaults). */
export function queriesConfigProblems(input: unknown): Problem[] {
  if (!isRecord(input)) return [{ path: [], message: 'expected an object' }];
  const problems = unknownKeys(input, Object.keys(FIELDS));
  for (const [key, check] of Object.entries(FIELDS)) {
    const value = input[key];
    const message = value === undefined ? undefined : check(value);
    if (message) problems.push({ path: [key], message });
  }
  return problems;
}

/** The input over the defaults; call after queriesConfigProblems() found nothing. */
export function withQueriesDefaults(input: QueriesConfigInput): QueriesConfig {
  const defined = Object.entries(input).filter(([, v]) => v !== undefined);
  return { ...DEFAULT_QUERIES_CONFIG, ...Object.fromEntries(defined) };
}

/** Why a config would drop samples under steady load (the ring cannot hold one interval), if it would. */
export function ringTooSmall(c: QueriesConfig): string | undefined {
  const perInterval = 2 * c.maxSamplesPerSecond * (c.flushIntervalMs / 1000);
  if (perInterval <= c.ringSize) return undefined;
  return `queries.ringSize (${c.ringSize}) holds less than one flush interval at the full rate (2 × maxSamplesPerSecond × flushIntervalMs/1000 = ${perInterval}): samples will be dropped under steady load; raise ringSize or lower flushIntervalMs`;
}

/** A validated `queries` input over the defaults; throws naming every field that is wrong. */
export function resolveQueriesConfig(input: QueriesConfigInput = {}): QueriesConfig {
  const problems = queriesConfigProblems(input);
  if (problems.length) throw new TypeError(`perfwatch queries options: ${describeProblems(problems)}`);
  return withQueriesDefaults(input);
}
