// Fingerprint throughput against pt-fingerprint (percona-toolkit) on one generated corpus, side by side:
// both fingerprint the same queries in one run; the ratio of queries per second is what matters.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { fingerprintText } = require('../exporter/dist/queries/fingerprint.js');

const N = Number(process.env.BENCH_QUERIES ?? 50_000);
const PASSES = 5;
if (spawnSync('pt-fingerprint', ['--version']).status !== 0) {
  console.error(
    'pt-fingerprint is missing. Install it with: apt-get install -y percona-toolkit (Debian/Ubuntu package)',
  );
  process.exit(2);
}
// pt-fingerprint is a MySQL tool: compare with Perfwatch's MySQL quoting rules (backslash escapes).
const options = { backslashEscapes: true };

// Deterministic generator (mulberry32) so every run uses the same corpus.
let seed = 42;
const rand = () => {
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (n) => Math.floor(rand() * n);
const pick = (xs) => xs[int(xs.length)];
const word = () => pick(['alpha', 'beta', "O'Neil", 'x y z', 'naïve', '42abc', '']) + int(1000);
const str = () => `'${word().replace(/'/g, "''")}'`;
const num = () => (rand() < 0.3 ? (rand() * 1000).toFixed(2) : String(int(1_000_000)));
const list = (f) => Array.from({ length: 1 + int(12) }, f).join(pick([', ', ',']));
const ws = () => pick([' ', '  ', '\n  ', '\t']);
const kw = (k) => (rand() < 0.5 ? k : k.toUpperCase());

// Each template is one intended group: queries from one template differ only in literals, spacing and case.
const TEMPLATES = [
  () => `${kw('select')} * ${kw('from')} users ${kw('where')} id = ${num()}`,
  () =>
    `${kw('select')} id, email ${kw('from')} users ${kw('where')} email = ${str()} ${kw('and')} active = 1`,
  () => `${kw('select')} * ${kw('from')} orders ${kw('where')} customer_id ${kw('in')} (${list(num)})`,
  () =>
    `${kw('select')} count(*) ${kw('from')} orders ${kw('where')} created_at > ${str()}${ws()}${kw('and')} status = ${str()}`,
  () =>
    `${kw('insert')} ${kw('into')} events (kind, payload) ${kw('values')} ${list(() => `(${str()}, ${str()})`)}`,
  () => `${kw('update')} stock ${kw('set')} qty = qty - ${num()} ${kw('where')} sku = ${str()}`,
  () => `${kw('delete')} ${kw('from')} sessions ${kw('where')} expires_at < ${num()}`,
  () =>
    `${kw('select')} /* app:checkout */ p.id, p.price ${kw('from')} products p ${kw('join')} prices x ${kw('on')} x.pid = p.id ${kw('where')} p.id = ${num()}`,
  () =>
    `${kw('select')} * ${kw('from')} logs ${kw('where')} msg ${kw('like')} ${str()} ${kw('order by')} id ${kw('desc')} ${kw('limit')} ${int(100)}`,
  () =>
    `${kw('select')} a.name, b.total ${kw('from')} accounts a, balances b ${kw('where')} a.id = b.account_id ${kw('and')} b.total > ${num()}`,
];

const corpus = [];
const intended = [];
for (let i = 0; i < N; i++) {
  const t = int(TEMPLATES.length);
  corpus.push(TEMPLATES[t]().replace(/;/g, ''));
  intended.push(t);
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'pw-fp-bench-'));
try {
  const file = path.join(dir, 'corpus.sql');
  writeFileSync(file, corpus.map((q) => `${q};\n`).join(''));
  writeFileSync(path.join(dir, 'empty.sql'), 'select 1;\n');

  // pt-fingerprint: the whole process, minus its start-up (measured on a one-query file). Wall time,
  // and CPU time (user + system, from bash's time), which a busy shared machine disturbs far less.
  const time = (f) => {
    const out = path.join(dir, 'out.txt');
    const s = process.hrtime.bigint();
    const r = spawnSync('bash', ['-c', 'TIMEFORMAT="%3U %3S"; time pt-fingerprint "$0" > "$1"', f, out], {
      encoding: 'utf8',
    });
    const seconds = Number(process.hrtime.bigint() - s) / 1e9;
    if (r.status !== 0) throw new Error(`pt-fingerprint failed: ${r.stderr}`);
    const [user, sys] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
    return { out: readFileSync(out, 'utf8'), seconds, cpu: user + sys };
  };
  const empty = [0, 1, 2].map(() => time(path.join(dir, 'empty.sql')));
  const startup = Math.min(...empty.map((e) => e.seconds));
  const startupCpu = Math.min(...empty.map((e) => e.cpu));

  // Both tools: the best of PASSES passes over the same corpus, alternating, so a busy moment on a
  // shared machine hurts neither side alone. Ours warms up first (the JIT), as pt's Perl compiles first.
  for (const q of corpus.slice(0, 5000)) fingerprintText(q, options);
  let ours = [];
  let oursSeconds = Infinity;
  let oursCpu = Infinity;
  let ptOut = [];
  let ptSeconds = Infinity;
  let ptCpu = Infinity;
  for (let r = 0; r < PASSES; r++) {
    const pt = time(file);
    ptOut = pt.out.split('\n').filter((l) => l.length > 0);
    if (ptOut.length !== N)
      throw new Error(`pt-fingerprint printed ${ptOut.length} fingerprints for ${N} queries`);
    ptSeconds = Math.min(ptSeconds, pt.seconds - startup);
    ptCpu = Math.min(ptCpu, pt.cpu - startupCpu);
    const cpu = process.cpuUsage();
    const s = process.hrtime.bigint();
    const out = new Array(N);
    for (let i = 0; i < N; i++) out[i] = fingerprintText(corpus[i], options);
    oursSeconds = Math.min(oursSeconds, Number(process.hrtime.bigint() - s) / 1e9);
    const used = process.cpuUsage(cpu);
    oursCpu = Math.min(oursCpu, (used.user + used.system) / 1e6);
    ours = out;
  }

  /** Share of queries whose group under `a` maps to the same group under `b` as the majority does. */
  const agreement = (a, b) => {
    const votes = new Map();
    a.forEach((g, i) => {
      const m = votes.get(g) ?? new Map();
      m.set(b[i], (m.get(b[i]) ?? 0) + 1);
      votes.set(g, m);
    });
    let agree = 0;
    for (const m of votes.values()) agree += Math.max(...m.values());
    return agree / a.length;
  };
  const both = (a, b) => Math.min(agreement(a, b), agreement(b, a));
  const groups = (xs) => new Set(xs).size;

  const rows = [
    ['queries', N, N],
    [
      'seconds',
      oursSeconds.toFixed(3),
      `${ptSeconds.toFixed(3)} (start-up ${startup.toFixed(3)} s excluded)`,
    ],
    ['queries / s (wall time)', Math.round(N / oursSeconds), Math.round(N / ptSeconds)],
    ['CPU seconds', oursCpu.toFixed(3), `${ptCpu.toFixed(3)} (start-up ${startupCpu.toFixed(3)} s excluded)`],
    ['queries / CPU second', Math.round(N / oursCpu), Math.round(N / ptCpu)],
    ['distinct fingerprints', groups(ours), groups(ptOut)],
    [
      'grouped as generated (10 templates)',
      `${(both(ours, intended) * 100).toFixed(2)} %`,
      `${(both(ptOut, intended) * 100).toFixed(2)} %`,
    ],
  ];
  const ratio = ptCpu / oursCpu;
  const wallRatio = ptSeconds / oursSeconds;
  const agreementShare = both(ours, ptOut);
  const table = [
    '| | Perfwatch | pt-fingerprint |',
    '| --- | ---: | ---: |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  const summary = `Throughput ratio (Perfwatch / pt-fingerprint): **${ratio.toFixed(1)}×** per CPU second (${wallRatio.toFixed(1)}× by wall time). Grouping agreement between the two tools: **${(agreementShare * 100).toFixed(2)} %** of queries.`;
  console.log(table);
  console.log(summary);
  // Where the tools disagree: per template, the fingerprints each tool made of it.
  const perTemplate = TEMPLATES.map((_, t) => {
    const oursSet = new Map();
    const ptSet = new Map();
    intended.forEach((g, i) => {
      if (g !== t) return;
      oursSet.set(ours[i], (oursSet.get(ours[i]) ?? 0) + 1);
      ptSet.set(ptOut[i], (ptSet.get(ptOut[i]) ?? 0) + 1);
    });
    return { t, ours: oursSet, pt: ptSet };
  });
  const fence = (s) => `\`${s.replace(/\n/g, '\\n')}\``;
  const differences = perTemplate
    .map(({ t, ours: o, pt: p }) => {
      const lines = [`- template ${t + 1}: Perfwatch ${o.size} fingerprint(s), pt-fingerprint ${p.size}`];
      for (const [fp, n] of [...o].slice(0, 1)) lines.push(`  - Perfwatch (${n}): ${fence(fp)}`);
      for (const [fp, n] of [...p].sort((x, y) => y[1] - x[1]).slice(0, 3))
        lines.push(`  - pt-fingerprint (${n}): ${fence(fp)}`);
      return lines.join('\n');
    })
    .join('\n');
  const date = new Date().toISOString().slice(0, 10);
  writeFileSync(
    path.join(here, 'FINGERPRINT.md'),
    `# Fingerprint benchmark

Written by \`npm run bench:fingerprint\` (bench/fingerprint.mjs; needs \`pt-fingerprint\`:
\`apt-get install -y percona-toolkit\`).

Method: ${N} generated queries from 10 templates (random literals, IN lists and multi-row VALUES of random
length, mixed keyword case, spacing and comments; a fixed seed, so every run uses the same corpus) are
fingerprinted by Perfwatch (in process, after a warm-up, with MySQL quoting rules like pt's) and by
\`pt-fingerprint\` from Debian's percona-toolkit (one process over the same file; its start-up time is
measured on a one-query file and subtracted). Each side's best of ${PASSES} passes counts, the passes
alternating so that a busy moment on the machine hurts neither side alone. The headline ratio is by CPU
time (user + system: \`process.cpuUsage()\` for Perfwatch, bash's \`time\` for pt-fingerprint), which
a shared machine disturbs less than wall time; the wall-time ratio is given beside it. "Grouped as generated"
compares each tool's groups with the templates. The agreement share compares the tools with each other:
for each group of one tool, the queries the other tool puts in its majority group, the smaller of both
directions.

Run on ${date}, Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores,
load average ${os.loadavg()[0].toFixed(1)} at the end: the machine is shared, so absolute numbers vary
from run to run; the ratio varies less).

${table}

${summary}

## Where the tools group differently

${differences}
`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
