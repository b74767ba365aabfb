// `notify` scenario of bench/run.sh: NGSI-LD notifications to a real local
// HTTP receiver (node:http), one subscription, entity updates driven as
// fast as CONNECTIONS concurrent clients can go, round-robin over ENTITIES
// entities (enough that an entity is not updated twice within the
// notifier's merge window: a notification carries the entity's current
// state, so quick successive updates of one entity arrive as one).
//
//   node bench/notify_bench.mjs --machi BUILD/machi [--duration 10] [--connections 16] [--batch 1]
//        [--entities 20000] [--rate 5000] [--outage 30] [--outage-rate 100] [--durability full] [--v2 1]
//        [--out notify.json]
//
// With --v2 1, the same updates then drive an NGSIv2 subscription
// (/v2/subscriptions, keyValues) instead of the NGSI-LD one, and the v2
// figures are printed beside the NGSI-LD ones with their ratio ("v2" in the JSON).
//
// Prints (and writes as JSON): the plain update rate without subscriptions
// (the reference), the update rate with the subscription (PATCH per entity,
// or --batch entities per POST /entityOperations/update to drive more
// changes than one client loop of PATCHes can), entity updates
// delivered per second and notifications (POSTs) per second, the p50/p99
// lag from the update's 2xx to its delivery, and the ratio to the
// reference; then the lag again with updates sent open-loop at --rate
// entity updates/s (one request of --batch entities every batch/rate
// seconds, whatever the answers' pace), the figure the target names:
// "at least 5,000/s with p99 lag under 100 ms"; then a receiver outage of --outage seconds under a steady
// update rate: every update made during the outage must arrive once the
// receiver is back.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const MACHI = args.machi ?? 'build/machi';
const DURATION = Number(args.duration ?? 10);
const CONNECTIONS = Number(args.connections ?? 16);
const ENTITIES = Number(args.entities ?? 20000);
const OUTAGE = Number(args.outage ?? 30);
const OUTAGE_RATE = Number(args['outage-rate'] ?? 100);
const DURABILITY = args.durability ?? 'full';
const BATCH = Number(args.batch ?? 1); // entities per update request (1: PATCH /entities/{id}/attrs)
// The open-loop phase: updates at a fixed rate (the target's 5,000/s), the
// lag measured at that rate rather than at saturation, where any queue grows.
const RATE = Number(args.rate ?? 5000);
const PASSWORD = 'bench-admin-password-1';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (s) => process.stderr.write(`[notify ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

async function freePort() {
  return new Promise((resolve) => {
    const s = netServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const dataDir = mkdtempSync(join(tmpdir(), 'machi-notify-bench-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const machi = spawn(MACHI, ['serve', '--port', String(port), '--data', dataDir, '--durability', DURABILITY,
  '--outbound-allow', '127.0.0.0/8',
  '--notify-initial-backoff-ms', '200', '--notify-max-backoff-ms', '1000'], {
  stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, MACHI_ADMIN_PASSWORD: PASSWORD },
});
for (let i = 0; ; ++i) {
  try {
    if ((await fetch(`${base}/health`)).ok) break;
  } catch { /* not yet */ }
  if (i > 300) throw new Error('machi did not start');
  await sleep(50);
}
const tok = await (await fetch(`${base}/machi/v1/auth/token`, {
  method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ grant_type: 'password', username: 'admin', password: PASSWORD }).toString(),
})).json();
const H = { Authorization: `Bearer ${tok.access_token}`, 'Content-Type': 'application/json' };

// The receiver runs on a thread of its own (worker_threads), so that the
// load this script drives does not delay it; it reports every delivery.
const lags = [];
let posts = 0;
let delivered = 0;
const seen = new Set(); // "id seq" pairs
let counting = false;
let lastDelivery = 0;
const receivedAt = new Map(); // seq -> first delivery time
const ackedAt = new Map(); // seq -> the update's 2xx time (while counting)
const rxPort = await freePort();
const receiverCode = `
const { parentPort, workerData } = require('node:worker_threads');
const { createServer } = require('node:http');
let server;
parentPort.on('message', (m) => {
  if (m === 'start') {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => { text += c; });
      req.on('end', () => {
        const at = Date.now();
        const body = JSON.parse(text);
        parentPort.postMessage({ at, data: body.data.map((e) => [e.id, e.seq, e.sent]) });
        res.writeHead(204).end();
      });
    });
    server.keepAliveTimeout = 5000;
    server.listen(workerData.port, '127.0.0.1', () => parentPort.postMessage('started'));
  } else if (m === 'stop') {
    server.closeAllConnections();
    server.close(() => parentPort.postMessage('stopped'));
  }
});`;
const worker = new Worker(receiverCode, { eval: true, workerData: { port: rxPort } });
let control = () => {};
worker.on('message', (m) => {
  if (typeof m === 'string') return control(m);
  posts += 1;
  for (const [id, s, sent] of m.data) {
    delivered += 1;
    seen.add(`${id} ${s}`);
    if (counting && typeof sent === 'number') lags.push(m.at - sent);
    if (counting && !receivedAt.has(s)) receivedAt.set(s, m.at);
    lastDelivery = m.at;
  }
});
function tell(what, answer) {
  return new Promise((resolve) => {
    control = (m) => { if (m === answer) resolve(); };
    worker.postMessage(what);
  });
}
const startReceiver = () => tell('start', 'started');
const stopReceiver = () => tell('stop', 'stopped');
await startReceiver();

const ids = Array.from({ length: ENTITIES }, (_, i) => `urn:ngsi-ld:Sensor:b${i}`);
for (let i = 0; i < ids.length; i += 1000) {
  const upsert = await fetch(`${base}/ngsi-ld/v1/entityOperations/upsert`, {
    method: 'POST', headers: H,
    body: JSON.stringify(ids.slice(i, i + 1000).map((id) => ({ id, type: 'Sensor', seq: { type: 'Property', value: 0 },
      sent: { type: 'Property', value: 0 } }))),
  });
  if (!upsert.ok) throw new Error(`upsert: ${upsert.status}`);
}

let seq = 0;
const issued = new Map(); // seq -> entity id
async function patchOne(i) {
  const id = ids[i % ids.length];
  const s = ++seq;
  issued.set(s, id);
  const r = await fetch(`${base}/ngsi-ld/v1/entities/${encodeURIComponent(id)}/attrs`, {
    method: 'PATCH', headers: H,
    body: JSON.stringify({ seq: { type: 'Property', value: s }, sent: { type: 'Property', value: Date.now() } }),
  });
  await r.arrayBuffer();
  if (r.status !== 204) throw new Error(`patch ${r.status}`);
  if (counting) ackedAt.set(s, Date.now());
  return `${id} ${s}`;
}

// BATCH entities in one POST /entityOperations/update.
async function updateBatch(k) {
  const body = [];
  const now = Date.now();
  for (let j = 0; j < BATCH; ++j) {
    const id = ids[(k * BATCH + j) % ids.length];
    const s = ++seq;
    issued.set(s, id);
    body.push({ id, type: 'Sensor', seq: { type: 'Property', value: s }, sent: { type: 'Property', value: now } });
  }
  const r = await fetch(`${base}/ngsi-ld/v1/entityOperations/update`, { method: 'POST', headers: H, body: JSON.stringify(body) });
  await r.arrayBuffer();
  if (r.status !== 204) throw new Error(`update ${r.status}`);
  if (counting) {
    const at = Date.now();
    for (const e of body) ackedAt.set(e.seq.value, at);
  }
}

// Closed loop: CONNECTIONS clients for seconds; returns entity updates/s.
async function drive(seconds) {
  const end = Date.now() + seconds * 1000;
  let done = 0;
  let k = 0;
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (Date.now() < end) {
      if (BATCH > 1) await updateBatch(k++); else await patchOne(k++);
      done += BATCH;
    }
  }));
  return done / seconds;
}

// Open loop: one update request every BATCH/RATE seconds for `seconds`,
// sent on schedule whether or not earlier ones have answered.
async function driveOpen(seconds) {
  const interval = (1000 * Math.max(1, BATCH)) / RATE;
  const start = Date.now();
  const pending = [];
  for (let k = 0; ; ++k) {
    const due = start + k * interval;
    if (due >= start + seconds * 1000) break;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    pending.push(BATCH > 1 ? updateBatch(k) : patchOne(k));
  }
  await Promise.all(pending);
  return (pending.length * Math.max(1, BATCH)) / seconds;
}

function pct(list, p) {
  if (!list.length) return null;
  const s = [...list].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

const what = BATCH > 1 ? `entityOperations/update of ${BATCH} entities` : 'PATCH';
log(`reference: ${what} without subscriptions, ${CONNECTIONS} connections, ${DURATION}s`);
await drive(2);
const plainRate = await drive(DURATION);
log(`reference: ${plainRate.toFixed(0)} entity updates/s`);

const sub = await fetch(`${base}/ngsi-ld/v1/subscriptions`, {
  method: 'POST', headers: H,
  body: JSON.stringify({ type: 'Subscription', entities: [{ type: 'Sensor' }], watchedAttributes: ['seq'],
    notification: { format: 'keyValues', attributes: ['seq', 'sent'], endpoint: { uri: `http://127.0.0.1:${rxPort}/n` } } }),
});
if (sub.status !== 201) throw new Error(`subscription: ${sub.status} ${await sub.text()}`);
await sleep(500);
counting = true;
const posts0 = posts;
const delivered0 = delivered;
const t0 = Date.now();
const subRate = await drive(DURATION);
// wait for the tail to arrive (at most 10 s)
const target = seq;
for (let i = 0; i < 200 && !seen.has(`${issued.get(target)} ${target}`); ++i) await sleep(50);
const elapsed = (lastDelivery - t0) / 1000;
counting = false;
// Lag from the update's 2xx (0 when the notification came first).
const ackLags = [];
for (const [s, at] of ackedAt) {
  if (receivedAt.has(s)) ackLags.push(Math.max(0, receivedAt.get(s) - at));
}
const result = {
  plain_patch_rps: Math.round(plainRate),
  patch_rps_with_subscription: Math.round(subRate),
  updates_delivered_per_s: Math.round((delivered - delivered0) / elapsed),
  notifications_per_s: Math.round((posts - posts0) / elapsed),
  ratio_to_plain_patch: Number(((delivered - delivered0) / elapsed / plainRate).toFixed(3)),
  lag_p50_ms: pct(lags, 50),          // from the update request's send
  lag_p99_ms: pct(lags, 99),
  lag_from_2xx_p50_ms: pct(ackLags, 50), // from the update's 2xx
  lag_from_2xx_p99_ms: pct(ackLags, 99),
  targets: { updates_delivered_per_s: 5000, lag_p99_ms: 100 },
  connections: CONNECTIONS,
  entities_per_request: BATCH,
  duration_s: DURATION,
  durability: DURABILITY,
};
log(`with 1 subscription: ${result.patch_rps_with_subscription} entity updates/s; delivered ${result.updates_delivered_per_s} updates/s in ` +
  `${result.notifications_per_s} notifications/s (ratio ${result.ratio_to_plain_patch} of the plain update rate); lag from the update's send p50 ${result.lag_p50_ms} ms, p99 ${result.lag_p99_ms} ms, from its 2xx p50 ${result.lag_from_2xx_p50_ms} ms, p99 ${result.lag_from_2xx_p99_ms} ms`);

// The same subscription with updates at a fixed rate.
if (RATE > 0) {
  log(`open loop: ${what} at ${RATE} entity updates/s for ${DURATION}s`);
  await sleep(1000);
  lags.length = 0;
  receivedAt.clear();
  ackedAt.clear();
  counting = true;
  const p0 = posts;
  const d0 = delivered;
  const t1 = Date.now();
  const sentRate = await driveOpen(DURATION);
  const last = seq;
  for (let i = 0; i < 200 && !seen.has(`${issued.get(last)} ${last}`); ++i) await sleep(50);
  const secs = (lastDelivery - t1) / 1000;
  counting = false;
  const fromAck = [];
  for (const [s, at] of ackedAt) if (receivedAt.has(s)) fromAck.push(Math.max(0, receivedAt.get(s) - at));
  result.open_loop = {
    rate: RATE,
    sent_per_s: Math.round(sentRate),
    updates_delivered_per_s: Math.round((delivered - d0) / secs),
    notifications_per_s: Math.round((posts - p0) / secs),
    updates_acknowledged: ackedAt.size,
    updates_arrived: fromAck.length,
    lag_p50_ms: pct(lags, 50),
    lag_p99_ms: pct(lags, 99),
    lag_from_2xx_p50_ms: pct(fromAck, 50),
    lag_from_2xx_p99_ms: pct(fromAck, 99),
  };
  const o = result.open_loop;
  log(`open loop: sent ${o.sent_per_s} updates/s, delivered ${o.updates_delivered_per_s} updates/s in ${o.notifications_per_s} ` +
    `notifications/s (${o.updates_arrived}/${o.updates_acknowledged} arrived); lag from the send p50 ${o.lag_p50_ms} ms, ` +
    `p99 ${o.lag_p99_ms} ms, from the 2xx p50 ${o.lag_from_2xx_p50_ms} ms, p99 ${o.lag_from_2xx_p99_ms} ms`);
}

// The same load notifying an NGSIv2 subscriber instead (same notifier, v2 renderer).
async function measureV2() {
  const ld = (await (await fetch(`${base}/ngsi-ld/v1/subscriptions`, { headers: H })).json()).map((x) => x.id);
  for (const id of ld) await fetch(`${base}/ngsi-ld/v1/subscriptions/${encodeURIComponent(id)}`, { method: 'DELETE', headers: H });
  const v2 = await fetch(`${base}/v2/subscriptions`, {
    method: 'POST', headers: H,
    body: JSON.stringify({ subject: { entities: [{ idPattern: '.*', type: 'Sensor' }], condition: { attrs: ['seq'] } },
      notification: { http: { url: `http://127.0.0.1:${rxPort}/v2` }, attrs: ['seq', 'sent'], attrsFormat: 'keyValues' } }),
  });
  if (v2.status !== 201) throw new Error(`v2 subscription: ${v2.status} ${await v2.text()}`);
  await sleep(500);
  const p0 = posts;
  const d0 = delivered;
  const v2t0 = Date.now();
  const rate = await drive(DURATION);
  const last = seq;
  for (let i = 0; i < 200 && !seen.has(`${issued.get(last)} ${last}`); ++i) await sleep(50);
  const secs = (lastDelivery - v2t0) / 1000;
  const out = {
    patch_rps_with_subscription: Math.round(rate),
    updates_delivered_per_s: Math.round((delivered - d0) / secs),
    notifications_per_s: Math.round((posts - p0) / secs),
  };
  out.ratio_to_ngsi_ld_delivered = Number((out.updates_delivered_per_s / result.updates_delivered_per_s).toFixed(3));
  out.ratio_to_ngsi_ld_notifications = Number((out.notifications_per_s / result.notifications_per_s).toFixed(3));
  await fetch(`${base}${v2.headers.get('location')}`, { method: 'DELETE', headers: H });
  return out;
}

if (OUTAGE > 0) {
  log(`outage: receiver down ${OUTAGE}s while updates go on at ${OUTAGE_RATE}/s`);
  await stopReceiver();
  const expected = [];
  const end = Date.now() + OUTAGE * 1000;
  let k = 0;
  while (Date.now() < end) {
    const tick = Date.now();
    const batch = [];
    for (let i = 0; i < OUTAGE_RATE / 10; ++i) batch.push(patchOne(k++));
    expected.push(...(await Promise.all(batch)));
    await sleep(Math.max(0, 100 - (Date.now() - tick)));
  }
  const back = Date.now();
  await startReceiver();
  // A notification carries the entity's state when it is rendered: updates
  // of one entity that the notifier reads in the same pass arrive as one.
  // So every entity's last update must arrive, and most of the others.
  const last = new Map();
  for (const x of expected) last.set(x.split(' ')[0], x);
  const latest = [...last.values()];
  let arrived = 0;
  let latestArrived = 0;
  for (let i = 0; i < 600; ++i) {
    latestArrived = latest.filter((x) => seen.has(x)).length;
    if (latestArrived === latest.length) break;
    await sleep(100);
  }
  const caughtUp = Number(((Date.now() - back) / 1000).toFixed(2));
  await sleep(500);
  arrived = expected.filter((x) => seen.has(x)).length;
  result.outage = { seconds: OUTAGE, updates: expected.length, updates_arrived: arrived, entities: latest.length,
    latest_arrived: latestArrived, all_latest_arrived: latestArrived === latest.length, catch_up_s: caughtUp };
  log(`outage: ${arrived}/${expected.length} updates made during the outage arrived (each entity's last: ` +
    `${latestArrived}/${latest.length}), ${caughtUp}s after the receiver came back`);
}

if (args.v2 === '1') {
  log('v2: the same load with 1 NGSIv2 subscription (/v2/subscriptions, keyValues) instead');
  result.v2 = await measureV2();
  log(`v2: delivered ${result.v2.updates_delivered_per_s} updates/s in ${result.v2.notifications_per_s} notifications/s; ` +
    `NGSI-LD ${result.updates_delivered_per_s} updates/s in ${result.notifications_per_s} notifications/s; ` +
    `ratio v2/NGSI-LD ${result.v2.ratio_to_ngsi_ld_delivered} (updates), ${result.v2.ratio_to_ngsi_ld_notifications} (notifications)`);
}

console.log(JSON.stringify(result));
if (args.out) writeFileSync(args.out, `${JSON.stringify(result)}\n`);
machi.kill('SIGTERM');
await new Promise((r) => machi.on('exit', r));
await stopReceiver();
await worker.terminate();
rmSync(dataDir, { recursive: true, force: true });
