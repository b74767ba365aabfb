// The crash test: every acknowledged (2xx) write survives SIGKILL of the
// server under a concurrent write load (default durability "full"), and
// SIGTERM under load exits 0 with everything acknowledged in place.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Machi, enc } from './lib/machi.mjs';
import { startServer, stopServer } from './lib/util.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const WRITERS = 8;

// Runs WRITERS concurrent writers against m until stopped or until the
// server goes away. Each writer creates entities and PATCHes a counter on
// its own entities, one request at a time, so each entity's counter only
// grows. Returns the log of acknowledged and sent values.
function startLoad(m, tag) {
  const acked = new Map(); // id -> highest acknowledged counter
  const sent = new Map(); // id -> highest counter ever sent
  const unexpected = [];
  const endings = []; // how each writer's last request failed
  let stopped = false;
  let requests = 0;

  async function writer(w) {
    const auth = await m.authHeaders();
    const mine = [];
    const counter = new Map();
    for (let n = 0; !stopped; n++) {
      const create = mine.length === 0 || n % 3 === 0;
      const id = create ? `urn:ngsi-ld:Crash:${tag}-w${w}-${n}` : mine[n % mine.length];
      const value = create ? 0 : counter.get(id) + 1;
      if (!create) counter.set(id, value);
      sent.set(id, Math.max(sent.get(id) ?? 0, value));
      let response;
      const sentAt = performance.now();
      try {
        requests += 1;
        if (create) {
          response = await fetch(`${m.base}/ngsi-ld/v1/entities`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', ...auth },
            body: JSON.stringify({ id, type: 'Crash', counter: { type: 'Property', value }, writer: { type: 'Property', value: w } }),
          });
        } else {
          response = await fetch(`${m.base}/ngsi-ld/v1/entities/${enc(id)}/attrs`, {
            method: 'PATCH',
            headers: { 'Content-Type': 'application/json', ...auth },
            body: JSON.stringify({ counter: { type: 'Property', value } }),
          });
        }
        await response.arrayBuffer();
      } catch (e) {
        // the server is gone (connection refused or reset)
        endings.push({ code: e.cause?.code ?? e.message, sentAt, what: `${create ? 'POST' : 'PATCH'} ${id}` });
        return;
      }
      if (response.status === (create ? 201 : 204)) {
        acked.set(id, value);
        if (create) {
          mine.push(id);
          counter.set(id, 0);
        }
      } else {
        unexpected.push(`${create ? 'POST' : 'PATCH'} ${id} -> ${response.status}`);
      }
    }
  }

  const done = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
  return {
    acked,
    sent,
    unexpected,
    endings,
    get requests() {
      return requests;
    },
    async stop() {
      stopped = true;
      await done;
    },
    done,
  };
}

// Reads every Crash entity: id -> counter value.
async function readAll(m) {
  const out = new Map();
  for (let offset = 0; ; offset += 1000) {
    const r = await m.get(`/entities?type=Crash&limit=1000&offset=${offset}&options=keyValues`);
    assert.equal(r.status, 200, `query after restart: ${r.status} ${r.text.slice(0, 300)}`);
    for (const e of r.json) out.set(e.id, e.counter);
    if (r.json.length < 1000) break;
  }
  return out;
}

function verify(load, stored) {
  const missing = [];
  const behind = [];
  const ahead = [];
  for (const [id, value] of load.acked) {
    if (!stored.has(id)) missing.push(id);
    else if (!(stored.get(id) >= value)) behind.push(`${id}: stored ${stored.get(id)} < acknowledged ${value}`);
  }
  for (const [id, value] of stored) {
    if (!load.sent.has(id)) ahead.push(`${id}: never sent`);
    else if (value > load.sent.get(id)) ahead.push(`${id}: stored ${value} > highest sent ${load.sent.get(id)}`);
  }
  assert.deepEqual(missing.slice(0, 20), [], `${missing.length} acknowledged entities missing after restart`);
  assert.deepEqual(behind.slice(0, 20), [], `${behind.length} acknowledged updates lost`);
  assert.deepEqual(ahead.slice(0, 20), [], 'values that were never written');
}

test('SIGKILL during a write load loses no acknowledged write', async (t) => {
  const m = await startServer();
  let restarted;
  try {
    const load = startLoad(m, 'kill');
    await sleep(2000);
    const { signal } = await m.kill();
    assert.equal(signal, 'SIGKILL');
    await load.stop();
    const acknowledgedPatches = [...load.acked.values()].filter((v) => v > 0).length;
    assert.ok(load.acked.size >= 20, `only ${load.acked.size} entities acknowledged in 2 s (${load.requests} requests)`);
    assert.ok(acknowledgedPatches >= 5, `only ${acknowledgedPatches} entities with acknowledged updates`);
    assert.deepEqual(load.unexpected.slice(0, 20), [], 'unexpected answers under load');

    t.diagnostic(`${load.requests} requests, ${load.acked.size} entities acknowledged, ${acknowledgedPatches} with acknowledged updates`);
    restarted = await new Machi({ dataDir: m.dataDir }).start();
    verify(load, await readAll(restarted));
  } finally {
    if (restarted) {
      const { code } = await restarted.stop();
      assert.equal(code, 0, `restarted server exit status; stderr:\n${restarted.stderr.slice(-1000)}`);
    }
    if (m.proc.exitCode === null && m.proc.signalCode === null) await m.kill();
    m.cleanup();
  }
});

test('SIGTERM during a write load exits 0 and keeps every acknowledged write', async (t) => {
  const m = await startServer();
  let restarted;
  try {
    const load = startLoad(m, 'term');
    await sleep(1000);
    const started = Date.now();
    const termAt = performance.now();
    m.proc.kill('SIGTERM');
    const { code, signal } = await m.exited;
    const stopMs = Date.now() - started;
    await load.stop();
    assert.equal(signal, null, `killed by ${signal}`);
    assert.equal(code, 0, `exit status after SIGTERM; stderr:\n${m.stderr.slice(-1000)}`);
    assert.ok(stopMs < 10000, `SIGTERM took ${stopMs} ms`);
    assert.ok(load.acked.size >= 10, `only ${load.acked.size} entities acknowledged`);
    assert.deepEqual(load.unexpected.slice(0, 20), [], 'answers other than 201/204 while stopping');
    t.diagnostic(`${load.requests} requests, ${load.acked.size} entities acknowledged, stopped in ${stopMs} ms`);
    // Requests sent before SIGTERM should be answered; a writer may still
    // lose one that raced with the close of an idle keep-alive connection.
    t.diagnostic(`writers ended with: ${load.endings.map((e) => `${e.code} (sent ${Math.round(e.sentAt - termAt)} ms after SIGTERM)`).join(', ')}`);
    const lost = load.endings.filter((e) => e.sentAt < termAt && e.code !== 'ECONNREFUSED');
    assert.deepEqual(lost.map((e) => `${e.what}: ${e.code}`), [], 'requests sent before SIGTERM got no answer');

    restarted = await new Machi({ dataDir: m.dataDir }).start();
    verify(load, await readAll(restarted));
  } finally {
    if (restarted) {
      const { code } = await restarted.stop();
      assert.equal(code, 0, 'restarted server exit status');
    }
    if (m.proc.exitCode === null && m.proc.signalCode === null) await m.kill();
    m.cleanup();
  }
});

test('a clean restart without load keeps everything (baseline)', async () => {
  const m = await startServer();
  const ids = Array.from({ length: 20 }, (_, i) => `urn:ngsi-ld:Crash:base-${i}`);
  for (const id of ids) {
    const r = await m.post('/entities', { id, type: 'Crash', counter: { type: 'Property', value: 7 } });
    assert.equal(r.status, 201);
  }
  const { code } = await m.stop();
  assert.equal(code, 0);
  const again = await new Machi({ dataDir: m.dataDir }).start();
  try {
    const stored = await readAll(again);
    for (const id of ids) assert.equal(stored.get(id), 7, id);
  } finally {
    await stopServer(again);
    m.cleanup();
  }
});
