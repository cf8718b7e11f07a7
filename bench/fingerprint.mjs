// Fingerprint throughput against pt-fingerprint (percona-toolkit) on two generated corpora, side by side:
// both tools fingerprint the same queries in one run; the ratio of queries per CPU second is what matters.
// Corpus "short" is the original one (short statements, lists of up to 12 items); corpus "long lists" is
// dominated by IN lists and multi-row VALUES of 1–40 items. A 1 MB IN list is timed on its own.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { fingerprintText } = require('../exporter/library/dist/queries/fingerprint.js');

const N = Number(process.env.BENCH_QUERIES ?? 50_000);
const N_LONG = Number(process.env.BENCH_LONG_QUERIES ?? 20_000);
const PASSES = 5;
if (spawnSync('pt-fingerprint', ['--version']).status !== 0) {
  console.error(
    'pt-fingerprint is missing: bash scripts/install-system-deps.sh installs it (Debian package percona-toolkit)',
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

// Corpus "short". Each template is one intended group: queries from one template differ only in literals, spacing and case.
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

// Corpus "long lists": lists of 1–40 items, numbers (negative and decimal too) and strings with doubled
// quotes, backslashed quotes and backslashes, multi-row VALUES, keywords in any case, comments. Every
// string here is one pt-fingerprint reads as intended (it drops `\'` before matching quotes), and no
// statement starts with a comment (pt-fingerprint prints nothing for those).
const items = (f) => Array.from({ length: 1 + int(40) }, f).join(pick([', ', ',', ' , ', ',\n  ']));
const lstr = () =>
  `'${pick(['plain', "O''Neil", "it\\'s", 'a\\\\b', 'naïve', '', "x''y''z", "\\'quoted\\'"])}${int(10_000)}'`;
const lnum = () => pick([String(int(1_000_000)), (rand() * 1000).toFixed(3), `-${int(1000)}`]);
const mixed = () => (rand() < 0.5 ? lnum() : lstr());
const anyCase = (k) => pick([k, k.toUpperCase(), k[0].toUpperCase() + k.slice(1)]);
const LONG_TEMPLATES = [
  () => `${kw('select')} * ${kw('from')} orders ${kw('where')} customer_id ${anyCase('in')} (${items(lnum)})`,
  () =>
    `${kw('select')} id, name ${kw('from')} users ${kw('where')} email ${anyCase('in')} (${items(lstr)}) /* batch ${int(99)} */`,
  () =>
    `${kw('select')} /* svc:${pick(['a', 'b'])} */ * ${kw('from')} products ${kw('where')} sku ${anyCase('in')} (${items(mixed)}) ${kw('and')} price > ${lnum()}`,
  () =>
    `${kw('insert')} ${kw('into')} events (kind, payload, n) ${anyCase('values')} ${items(() => `(${lstr()}, ${lstr()}, ${lnum()})`)}`,
  () =>
    `${kw('insert')} ${kw('into')} tags (post_id, tag) ${anyCase('values')} ${items(() => `(${lnum()},${lstr()})`)} -- import ${int(9)}\n`,
  () =>
    `${kw('select')} a.id ${kw('from')} a ${kw('join')} b ${kw('on')} b.a_id = a.id ${kw('where')} a.state ${anyCase('in')} (${items(lstr)}) ${kw('and')} b.kind ${anyCase('in')} (${items(lnum)}) ${kw('order by')} a.id ${kw('limit')} ${int(100)}`,
  () =>
    `${kw('delete')} ${kw('from')} sessions ${kw('where')} id ${anyCase('in')} (${items(lnum)}) -- cleanup\n`,
  () =>
    `${kw('update')} accounts ${kw('set')} flag = ${lnum()} ${kw('where')} id ${anyCase('in')} (${items(lnum)}) ${kw('and')} region ${anyCase('in')} (${items(lstr)})`,
  () =>
    `${kw('replace')} ${kw('into')} kv (k, v) ${anyCase('values')} ${items(() => `(${lstr()}, ${lstr()})`)}`,
  () =>
    `${kw('select')} count(*) ${kw('from')} logs ${kw('where')} level ${anyCase('in')} (${items(lstr)}) ${kw('and')} ts ${kw('between')} ${int(1e9)} ${kw('and')} ${int(1e9)}`,
];

function generate(templates, n) {
  const corpus = [];
  const intended = [];
  for (let i = 0; i < n; i++) {
    const t = int(templates.length);
    corpus.push(templates[t]().replace(/;/g, ''));
    intended.push(t);
  }
  return { corpus, intended };
}
// The short corpus first, so it is the same one as before the long-list corpus existed.
const corpora = [
  { name: 'short', templates: TEMPLATES, ...generate(TEMPLATES, N) },
  { name: 'long lists', templates: LONG_TEMPLATES, ...generate(LONG_TEMPLATES, N_LONG) },
];

/** A 1 MB `IN` list (MySQL quoting): one statement, timed on its own. */
const MB = 1 << 20;
function megabyteList(value) {
  const parts = [];
  let size = 0;
  for (let i = 0; size < MB; i++) {
    const v = value(i);
    parts.push(v);
    size += v.length + 2;
  }
  return `select * from t where id in (${parts.join(', ')})`;
}
const bigLists = [
  { name: '1 MB IN list of numbers', sql: megabyteList((i) => String(i * 7919)) },
  // Under MySQL quoting, a list of strings without a backslash was quadratic before 2026-12 (each literal
  // searched the rest of the statement for one): seconds for this list.
  { name: '1 MB IN list of plain strings', sql: megabyteList((i) => `'user${i}@example.com'`) },
  {
    name: '1 MB IN list of strings (doubled and backslashed quotes)',
    sql: megabyteList((i) => [`'a${i}'`, `'O''Neil ${i}'`, `'it\\'s ${i}'`][i % 3]),
  },
];

const dir = mkdtempSync(path.join(os.tmpdir(), 'pw-fp-bench-'));
try {
  for (const c of corpora) {
    c.file = path.join(dir, `${c.name.replace(/\W/g, '-')}.sql`);
    writeFileSync(c.file, c.corpus.map((q) => `${q};\n`).join(''));
    c.chars = c.corpus.reduce((a, q) => a + q.length, 0);
  }
  for (const [i, b] of bigLists.entries()) {
    b.file = path.join(dir, `big-${i}.sql`);
    writeFileSync(b.file, `${b.sql};\n`);
  }
  writeFileSync(path.join(dir, 'empty.sql'), 'select 1;\n');

  // pt-fingerprint: the whole process, minus its start-up (measured on a one-query file). Wall time,
  // and CPU time (user + system of the child, from its rusage as bash's `time` reports it), which a busy
  // shared machine disturbs far less.
  const time = (f) => {
    const out = path.join(dir, 'out.txt');
    const s = process.hrtime.bigint();
    const r = spawnSync('bash', ['-c', 'TIMEFORMAT="%3U %3S"; time pt-fingerprint "$0" > "$1"', f, out], {
      encoding: 'utf8',
      maxBuffer: 64 * MB,
    });
    const seconds = Number(process.hrtime.bigint() - s) / 1e9;
    if (r.status !== 0) throw new Error(`pt-fingerprint failed: ${r.stderr}`);
    const [user, sys] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
    return { out: readFileSync(out, 'utf8'), seconds, cpu: user + sys };
  };
  const empty = [0, 1, 2].map(() => time(path.join(dir, 'empty.sql')));
  const startup = Math.min(...empty.map((e) => e.seconds));
  const startupCpu = Math.min(...empty.map((e) => e.cpu));

  /** Perfwatch over a list of statements in process: wall and CPU seconds of the loop. */
  const ours = (queries, repeat = 1) => {
    const out = new Array(queries.length);
    const cpu = process.cpuUsage();
    const s = process.hrtime.bigint();
    for (let r = 0; r < repeat; r++)
      for (let i = 0; i < queries.length; i++) out[i] = fingerprintText(queries[i], options);
    const seconds = Number(process.hrtime.bigint() - s) / 1e9 / repeat;
    const used = process.cpuUsage(cpu);
    return { out, seconds, cpu: (used.user + used.system) / 1e6 / repeat };
  };

  // Both tools: the best of PASSES passes over each corpus, alternating tool and corpus, so a busy
  // moment on a shared machine hurts neither side alone. Ours warms up first (the JIT), as pt's Perl
  // compiles first.
  for (const c of corpora) ours(c.corpus.slice(0, 5000));
  for (const b of bigLists) ours([b.sql]);
  for (const c of [...corpora, ...bigLists]) {
    c.ours = { seconds: Infinity, cpu: Infinity };
    c.pt = { seconds: Infinity, cpu: Infinity };
  }
  const best = (acc, run) => {
    acc.seconds = Math.min(acc.seconds, run.seconds);
    acc.cpu = Math.min(acc.cpu, run.cpu);
  };
  for (let r = 0; r < PASSES; r++) {
    for (const c of corpora) {
      const pt = time(c.file);
      c.ptOut = pt.out.split('\n').filter((l) => l.length > 0);
      if (c.ptOut.length !== c.corpus.length)
        throw new Error(
          `pt-fingerprint printed ${c.ptOut.length} fingerprints for ${c.corpus.length} queries`,
        );
      best(c.pt, { seconds: pt.seconds - startup, cpu: pt.cpu - startupCpu });
      const run = ours(c.corpus);
      best(c.ours, run);
      c.oursOut = run.out;
    }
    for (const b of bigLists) {
      const pt = time(b.file);
      best(b.pt, { seconds: pt.seconds - startup, cpu: pt.cpu - startupCpu });
      b.ptOut = pt.out.trim();
      // Ten calls per measurement: one call is shorter than the CPU clock's useful resolution.
      const run = ours([b.sql], 10);
      best(b.ours, run);
      b.oursOut = run.out[0];
    }
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
  const pct = (x) => `${(x * 100).toFixed(2)} %`;

  const summaryRows = corpora.map((c) => {
    const n = c.corpus.length;
    c.ratio = c.pt.cpu / c.ours.cpu;
    return [
      c.name,
      n,
      Math.round(c.chars / n),
      Math.round(n / c.ours.cpu),
      Math.round(n / c.pt.cpu),
      `**${c.ratio.toFixed(1)}×**`,
      `${(c.pt.seconds / c.ours.seconds).toFixed(1)}×`,
      `${groups(c.oursOut)} / ${groups(c.ptOut)}`,
      `${pct(both(c.oursOut, c.intended))} / ${pct(both(c.ptOut, c.intended))}`,
      pct(both(c.oursOut, c.ptOut)),
    ];
  });
  const table = [
    '| corpus | queries | mean length (chars) | Perfwatch queries / CPU s | pt-fingerprint queries / CPU s | ratio (CPU) | ratio (wall) | distinct fingerprints (Perfwatch / pt) | grouped as generated (Perfwatch / pt) | agreement between the tools |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...summaryRows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  const bigTable = [
    '| statement | Perfwatch CPU ms | Perfwatch wall ms | pt-fingerprint CPU ms | ratio (CPU) | Perfwatch fingerprint |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...bigLists.map(
      (b) =>
        `| ${b.name} (${b.sql.length} chars) | ${(b.ours.cpu * 1000).toFixed(2)} | ${(b.ours.seconds * 1000).toFixed(2)} | ${(b.pt.cpu * 1000).toFixed(0)} | ${(b.pt.cpu / b.ours.cpu).toFixed(0)}× | \`${b.oursOut}\` |`,
    ),
  ].join('\n');
  const goal = corpora.every((c) => c.ratio >= 5);
  const summary = `Goal ≥ 5× pt-fingerprint per CPU second on both corpora: **${goal ? 'met' : 'not met'}** (${corpora.map((c) => `${c.name} ${c.ratio.toFixed(1)}×`).join(', ')}).`;
  console.log(table);
  console.log();
  console.log(bigTable);
  console.log();
  console.log(summary);

  // Where the tools disagree: per template, the fingerprints each tool made of it.
  const fence = (s) => `\`${s.replace(/\n/g, '\\n')}\``;
  const differences = (c) =>
    c.templates
      .map((_, t) => {
        const o = new Map();
        const p = new Map();
        c.intended.forEach((g, i) => {
          if (g !== t) return;
          o.set(c.oursOut[i], (o.get(c.oursOut[i]) ?? 0) + 1);
          p.set(c.ptOut[i], (p.get(c.ptOut[i]) ?? 0) + 1);
        });
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

Written by \`npm run bench:fingerprint\` (bench/fingerprint.mjs; needs \`pt-fingerprint\` from Debian's
percona-toolkit, which \`bash scripts/install-system-deps.sh\` installs).

Method: two generated corpora (a fixed seed, so every run uses the same queries), each from 10 templates
that are one intended group each. **short**: ${N} statements with random literals, IN lists and
multi-row VALUES of 1–12 items, mixed keyword case, spacing and comments. **long lists**: ${N_LONG}
statements dominated by IN lists and multi-row VALUES of 1–40 items of numbers (negative and decimal
too) and strings with doubled quotes, backslashed quotes and backslashes, keywords and \`IN\`/\`VALUES\`
in any case, block and line comments. Perfwatch fingerprints them in process (after a warm-up, with
MySQL quoting rules like pt's); \`pt-fingerprint\` runs as one process over the same file (its start-up
is measured on a one-query file and subtracted). Each side's best of ${PASSES} passes counts, the passes
alternating between the tools and the corpora so that a busy moment on the machine hurts neither side
alone. The headline ratio is by CPU time (user + system: \`process.cpuUsage()\` for Perfwatch, the
child's rusage through bash's \`time\` for pt-fingerprint), which a shared machine disturbs less than
wall time; the wall-time ratio is given beside it. "Grouped as generated" compares each tool's groups
with the templates; the agreement compares the tools with each other (for each group of one tool, the
queries the other tool puts in its majority group, the smaller of both directions).

Run on ${date}, Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores,
load average ${os.loadavg()[0].toFixed(1)} at the end: the machine is shared, so absolute numbers vary
from run to run; the ratio varies less).

${table}

${summary}

Single statements of 1 MB (Perfwatch: the best of ${PASSES} measurements of ten calls each, per call;
pt-fingerprint: the best of ${PASSES} runs, start-up subtracted):

${bigTable}

Linearity is checked without a clock by exporter/library/test/queries-fingerprint-linear.test.ts, which counts
the input characters the fingerprinter reads.

${corpora.map((c) => `## Where the tools group differently: ${c.name}\n\n${differences(c)}`).join('\n\n')}
`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
