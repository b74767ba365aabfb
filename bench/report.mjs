// Turns the raw results of bench/run.sh into the markdown table and the
// JSON file: node bench/report.mjs RESULTS_DIR OUT.json
import fs from 'node:fs';
import path from 'node:path';

const [dir, out] = process.argv.slice(2);
if (!dir || !out) {
  console.error('usage: node bench/report.mjs RESULTS_DIR OUT.json');
  process.exit(2);
}

function read(name) {
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) return null;
  const text = fs.readFileSync(file, 'utf8').trim();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch (e) {
    console.error(`bench: cannot parse ${file}: ${e.message}`);
    return null;
  }
}

const run = read('run.json') ?? {};
const checks = read('checks.json');
const load = read('load.json');
const batch = run.batch ?? 1000;

// The raw SQLite reference: Google Benchmark JSON; the first benchmark
// that reports items_per_second (repetition aggregates excluded unless
// there is nothing else).
let sqlite = null;
const sqliteJson = read('sqlite.json');
if (sqliteJson?.benchmarks?.length) {
  const withRate = sqliteJson.benchmarks.filter((b) => typeof b.items_per_second === 'number');
  const plain = withRate.filter((b) => (b.run_type ?? 'iteration') === 'iteration');
  const pool = plain.length ? plain : withRate;
  const pick = pool.find((b) => b.name.startsWith('BM_RawSqliteUpsert')) ?? pool[0];
  if (pick) {
    sqlite = {
      name: pick.name,
      items_per_second: pick.items_per_second,
      all: pool.map((b) => ({ name: b.name, items_per_second: b.items_per_second, real_time: b.real_time, time_unit: b.time_unit })),
    };
  }
}

const ERROR_LIMIT = 0.01;  // more than 1% failed requests fails the scenario

function scenario(name) {
  const w = read(`${name}.wrk.json`);
  const l = read(`${name}.latency.json`);
  if (!w && !l) return null;
  const wrk = w?.wrk ?? {};
  const wrkErrors = wrk.errors ?? 0;
  const wrkRequests = wrk.requests ?? 0;
  const latErrors = l?.errors ?? 0;
  const latRecorded = l?.recorded ?? 0;
  const errorShare = Math.max(
    wrkRequests ? wrkErrors / wrkRequests : wrkErrors ? 1 : 0,
    latRecorded ? latErrors / latRecorded : latErrors ? 1 : 0,
  );
  return {
    requests_per_second: wrk.rps ?? 0,
    connections: w?.connections ?? null,
    server_cores: w?.server_cores ?? null,
    wrk,
    latency: l,
    p50_ms: l?.p50_ms ?? null,
    p99_ms: l?.p99_ms ?? null,
    error_share: errorShare,
  };
}

const s = {};
for (const name of ['health', 'get', 'query', 'patch', 'upsert']) s[name] = scenario(name);

const rows = [];
const results = { run, checks, references: {}, scenarios: {}, ratios: {} };

const fmtRate = (x) => (x == null ? 'n/a' : Math.round(x).toLocaleString('en-US'));
const fmtMs = (x) => (x == null ? 'n/a' : x < 10 ? x.toFixed(2) : x.toFixed(1));
const fmtRatio = (x) => (x == null || !isFinite(x) ? 'n/a' : `${x.toFixed(2)}x`);

// A scenario with a throughput target (and optionally a p99 bound).
function targetRow(key, label, unit, throughput, p50, p99, target, p99Limit, errorShare, extra = {}) {
  let met = null;
  let verdict = 'n/a';
  const ratio = throughput != null ? throughput / target : null;
  let targetText = `>= ${fmtRate(target)} ${unit}`;
  if (p99Limit != null) targetText += `, p99 <= ${p99Limit} ms`;
  if (throughput != null && throughput > 0) {
    met = throughput >= target && (p99Limit == null || (p99 != null && p99 <= p99Limit));
    if (errorShare > ERROR_LIMIT) met = false;
    verdict = `${met ? 'yes' : 'NO'} (${fmtRatio(ratio)})`;
    if (errorShare > ERROR_LIMIT) verdict += ` ${(errorShare * 100).toFixed(1)}% errors`;
    else if (p99Limit != null && (p99 == null || p99 > p99Limit)) verdict += ' p99 over';
  }
  rows.push([label, throughput == null ? 'n/a' : `${fmtRate(throughput)} ${unit}`, fmtMs(p50), fmtMs(p99), targetText, verdict]);
  results.scenarios[key] = { throughput, unit, p50_ms: p50, p99_ms: p99, target, p99_limit_ms: p99Limit ?? null, met, ratio, error_share: errorShare, ...extra };
}

function referenceRow(key, label, unit, throughput, p50, p99, note, extra = {}) {
  rows.push([label, throughput == null ? 'n/a' : `${fmtRate(throughput)} ${unit}`, fmtMs(p50), fmtMs(p99), 'reference', note]);
  results.scenarios[key] = { throughput, unit, p50_ms: p50, p99_ms: p99, reference: true, ...extra };
}

// Initial load: closed loop, LOAD_CONNECTIONS batches in flight.
if (load) {
  const loadErr = load.recorded ? load.errors / load.recorded : load.errors ? 1 : 0;
  targetRow('load', `initial load (${(run.entities ?? 0).toLocaleString('en-US')} new entities, batches of ${batch})`,
    'entities/s', load.items_per_second, load.p50_ms, load.p99_ms, 30000, null, loadErr, { raw: load });
}
if (s.patch) {
  targetRow('patch', 'PATCH /entities/{id}/attrs', 'req/s', s.patch.requests_per_second, s.patch.p50_ms, s.patch.p99_ms,
    10000, null, s.patch.error_share, { raw: s.patch });
}
if (s.get) {
  targetRow('get', 'GET /entities/{id}', 'req/s', s.get.requests_per_second, s.get.p50_ms, s.get.p99_ms, 25000, null,
    s.get.error_share, { raw: s.get });
}
if (s.query) {
  targetRow('query', 'GET /entities?type&q&georel=near (500 m)', 'req/s', s.query.requests_per_second, s.query.p50_ms,
    s.query.p99_ms, 5000, 20, s.query.error_share, { raw: s.query });
}
if (s.upsert) {
  const entities = s.upsert.requests_per_second * batch;
  targetRow('upsert', `batch upsert, existing ids (batches of ${batch})`, 'entities/s', entities, s.upsert.p50_ms,
    s.upsert.p99_ms, 30000, null, s.upsert.error_share, { batches_per_second: s.upsert.requests_per_second, raw: s.upsert });
}
if (s.health) {
  referenceRow('health', 'GET /health (HTTP layer)', 'req/s', s.health.requests_per_second, s.health.p50_ms,
    s.health.p99_ms, '', { raw: s.health });
  results.references.health_rps = s.health.requests_per_second;
}
if (sqlite) {
  referenceRow('sqlite', `raw SQLite upsert (${sqlite.name})`, 'entities/s', sqlite.items_per_second, null, null, '',
    { raw: sqlite });
  results.references.sqlite_items_per_second = sqlite.items_per_second;
  // The store alone (no HTTP, no JSON-LD), when machi_bench_sqlite has it.
  for (const b of sqlite.all) {
    if (b.name === sqlite.name) continue;
    const label = b.name.replace(/\/real_time$/, '')
      .replace(/^BM_StoreWrite\/0$/, 'store write, new entities (no HTTP)')
      .replace(/^BM_StoreWrite\/1$/, 'store write, existing entities (no HTTP)');
    rows.push([label, `${fmtRate(b.items_per_second)} entities/s`, '', '', 'reference', '']);
    results.references[b.name] = b.items_per_second;
  }
}

// Ratios.
if (s.get && s.health && s.health.requests_per_second > 0) {
  const ratio = s.get.requests_per_second / s.health.requests_per_second;
  const met = ratio >= 0.5 && s.get.error_share <= ERROR_LIMIT;
  results.ratios.get_over_health = ratio;
  results.scenarios.get_vs_health = { ratio, target: 0.5, met };
  rows.push(['GET by id / health', fmtRatio(ratio), '', '', '>= 0.50x', `${met ? 'yes' : 'NO'} (${fmtRatio(ratio / 0.5)})`]);
}
if (sqlite && sqlite.items_per_second > 0) {
  if (s.upsert) {
    const ratio = (s.upsert.requests_per_second * batch) / sqlite.items_per_second;
    results.ratios.upsert_over_sqlite = ratio;
    rows.push(['batch upsert / raw SQLite', fmtRatio(ratio), '', '', 'ratio', fmtRatio(ratio)]);
  }
  if (load) {
    const ratio = load.items_per_second / sqlite.items_per_second;
    results.ratios.load_over_sqlite = ratio;
    rows.push(['initial load / raw SQLite', fmtRatio(ratio), '', '', 'ratio', fmtRatio(ratio)]);
  }
}

// The table.
const header = ['scenario', 'throughput', 'p50 ms', 'p99 ms', 'target', 'met? / ratio'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
console.log('');
console.log(`## machi benchmark (${run.cores ?? '?'} cores, durability ${run.durability ?? '?'})`);
console.log('');
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
console.log('');
console.log(`Throughput: wrk -t1 after a ${run.warmup_s ?? '?'} s warm-up, ${run.duration_s ?? '?'} s, fixed connections ` +
  `(load generator and server share the cores). p50/p99: a separate open-loop run of ${run.latency_duration_s ?? '?'} s ` +
  'at half the measured throughput (machi_loadgen, latency from the scheduled send time). ' +
  'Initial load: closed loop, its p50/p99 are per batch.');
console.log('');
console.log('| scenario | connections | server cores used | open-loop rate | sent | ok | errors | p90 ms | max ms | wrk p50/p99 ms (closed loop) |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const [name, r] of Object.entries(s)) {
  if (!r) continue;
  const l = r.latency ?? {};
  console.log(`| ${name} | ${r.connections ?? ''} | ${r.server_cores ?? ''} | ${l.rate != null ? l.rate.toFixed(1) : 'n/a'} | ` +
    `${l.sent ?? ''} | ${l.ok ?? ''} | ${l.errors ?? ''} | ${fmtMs(l.p90_ms)} | ${fmtMs(l.max_ms)} | ` +
    `${fmtMs(r.wrk.p50_ms)} / ${fmtMs(r.wrk.p99_ms)} |`);
}
if (run.busy_cores_before > 0.25 || run.busy_cores_after > 0.25) {
  console.log('');
  console.log(`WARNING: other processes kept ${run.busy_cores_before} cores busy before the run and ` +
    `${run.busy_cores_after} after it: they shared the cores and the figures are low by an unknown amount.`);
}
if (checks) {
  console.log('');
  console.log(`Checks: ${checks.entities_counted ?? '?'} of ${checks.entities_expected} entities counted; ` +
    `GET ${checks.get_status}, query ${checks.query_status} (${checks.query_hits_at_center} hits at the centre), ` +
    `PATCH ${checks.patch_status}. Server peak RSS ${Math.round((run.server_peak_rss_kb ?? 0) / 1024)} MiB, ` +
    `data dir ${Math.round((run.data_dir_kb ?? 0) / 1024)} MiB.`);
}
console.log('');

fs.writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
console.log(`Results written to ${out}`);
