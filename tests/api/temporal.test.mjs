// The temporal API (/temporal/entities, /temporal/entityOperations/query):
// every answer is checked against a brute-force computation over the points
// this test wrote, in JS.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertProblem, assertStatus, qs, show, startServer, stopServer } from './lib/util.mjs';

let m;

function mulberry32(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(20261204);

const T0 = Date.parse('2026-11-01T00:00:00Z');
const MIN = 60000;
const HOUR = 3600000;
const iso = (t) => new Date(t).toISOString();

// points[id][attr] = [{t, value, datasetId}] as written
const points = {};
const SENSORS = [];
for (let s = 0; s < 4; s++) {
  const id = `urn:ngsi-ld:AirQualityObserved:temporal-${s}`;
  const district = ['渋谷区', '新宿区'][s % 2];
  SENSORS.push({ id, district });
  points[id] = { pm25: [], status: [] };
  for (let i = 0; i < 300; i++) {
    // Irregular minutes over five hours, some missing.
    if (rand() < 0.1) continue;
    const t = T0 + i * MIN + Math.floor(rand() * 1000);
    points[id].pm25.push({ t, value: Math.round(rand() * 1000) / 10 });
    if (i % 30 === 0) points[id].status.push({ t, value: rand() < 0.5 ? 'ok' : '点検中' });
  }
}

function temporalPayload({ id, district }) {
  return {
    id,
    type: 'AirQualityObserved',
    district: [{ type: 'Property', value: district, observedAt: iso(T0) }],
    pm25: points[id].pm25.map((p) => ({ type: 'Property', value: p.value, unitCode: 'GQ', observedAt: iso(p.t) })),
    status: points[id].status.map((p) => ({ type: 'Property', value: p.value, observedAt: iso(p.t) })),
  };
}

before(async () => {
  m = await startServer();
  for (const s of SENSORS) {
    const r = await m.post('/temporal/entities', temporalPayload(s));
    assertStatus(r, 201, `create ${s.id}`);
    assert.equal(decodeURIComponent(r.headers.get("location")), `/ngsi-ld/v1/temporal/entities/${s.id}`);
  }
});
after(async () => {
  await stopServer(m);
});

// ---- brute force ----

function inWindow(t, w) {
  return (w.from === undefined || t >= w.from) && (w.to === undefined || t < w.to);
}

function windowParams(w) {
  if (w.from !== undefined && w.to !== undefined) return { timerel: 'between', timeAt: iso(w.from), endTimeAt: iso(w.to) };
  if (w.from !== undefined) return { timerel: 'after', timeAt: iso(w.from) };
  if (w.to !== undefined) return { timerel: 'before', timeAt: iso(w.to) };
  return {};
}

function expectedAggregates(list, w, periodMs, methods) {
  const inside = list.filter((p) => inWindow(p.t, w));
  if (!inside.length) return null;
  const first = Math.min(...inside.map((p) => p.t));
  const origin = w.from !== undefined ? w.from : periodMs ? Math.floor(first / periodMs) * periodMs : first;
  const buckets = new Map();
  for (const p of inside) {
    const k = periodMs ? Math.floor((p.t - origin) / periodMs) : 0;
    if (!buckets.has(k)) buckets.set(k, []);
    buckets.get(k).push(p);
  }
  const keys = [...buckets.keys()].sort((a, b) => a - b);
  const out = {};
  for (const method of methods) {
    out[method] = [];
    for (const k of keys) {
      const b = buckets.get(k);
      const nums = b.map((p) => p.value).filter((v) => typeof v === 'number');
      const sum = nums.reduce((a, v) => a + v, 0);
      const mean = sum / nums.length;
      let v;
      switch (method) {
        case 'totalCount': v = b.length; break;
        case 'distinctCount': v = new Set(b.map((p) => JSON.stringify(p.value))).size; break;
        case 'sum': v = nums.length ? sum : null; break;
        case 'sumsq': v = nums.length ? nums.reduce((a, x) => a + x * x, 0) : null; break;
        case 'min': v = nums.length ? Math.min(...nums) : null; break;
        case 'max': v = nums.length ? Math.max(...nums) : null; break;
        case 'avg': v = nums.length ? mean : null; break;
        case 'stddev': v = nums.length ? Math.sqrt(nums.reduce((a, x) => a + (x - mean) ** 2, 0) / nums.length) : null; break;
      }
      if (v === null) continue;
      let start, end;
      if (periodMs) {
        start = origin + k * periodMs;
        end = origin + (k + 1) * periodMs;
        if (w.to !== undefined) end = Math.min(end, w.to);
      } else {
        start = w.from !== undefined ? w.from : first;
        end = w.to !== undefined ? w.to : Math.max(...inside.map((p) => p.t));
      }
      out[method].push([v, iso(start), iso(end)]);
    }
  }
  return out;
}

function assertAggregates(got, want, what) {
  assert.deepEqual(Object.keys(got).filter((k) => k !== 'type').sort(), Object.keys(want).sort(), what);
  for (const [method, entries] of Object.entries(want)) {
    assert.equal(got[method].length, entries.length, `${what} ${method}: ${JSON.stringify(got[method]).slice(0, 300)}`);
    entries.forEach((e, i) => {
      const g = got[method][i];
      assert.equal(g[1], e[1], `${what} ${method}[${i}] start`);
      assert.equal(g[2], e[2], `${what} ${method}[${i}] end`);
      assert.ok(Math.abs(g[0] - e[0]) <= 1e-6 * Math.max(1, Math.abs(e[0])), `${what} ${method}[${i}]: ${g[0]} != ${e[0]}`);
    });
  }
}

const get = (path, params) => m.get(`${path}?${qs(params)}`);

// ---- tests ----

describe('temporal entity retrieval', () => {
  test('normalized: every instance, in time order, with instanceId', async () => {
    const s = SENSORS[0];
    const r = await get(`/temporal/entities/${encodeURIComponent(s.id)}`, {});
    assertStatus(r, 200);
    assert.equal(r.json.id, s.id);
    assert.equal(r.json.type, 'AirQualityObserved');
    const want = points[s.id].pm25;
    assert.equal(r.json.pm25.length, want.length);
    r.json.pm25.forEach((inst, i) => {
      assert.equal(inst.type, 'Property');
      assert.equal(inst.value, want[i].value);
      assert.equal(inst.observedAt, iso(want[i].t));
      assert.equal(inst.unitCode, 'GQ');
      assert.match(inst.instanceId, /^urn:ngsi-ld:/);
    });
    assert.equal(new Set(r.json.pm25.map((i) => i.instanceId)).size, want.length, 'instanceIds are unique');
    assert.ok(Array.isArray(r.json.district), 'a single instance is still an array');
  });

  test('timerel before, after and between, and lastN', async () => {
    const s = SENSORS[1];
    const windows = [
      { from: T0 + 37 * MIN + 123 },
      { to: T0 + 2 * HOUR },
      { from: T0 + HOUR, to: T0 + HOUR + 30 * MIN },
      { from: T0 + 10 * HOUR },
    ];
    for (const w of windows) {
      const want = points[s.id].pm25.filter((p) => inWindow(p.t, w));
      const r = await get(`/temporal/entities/${encodeURIComponent(s.id)}`, { attrs: 'pm25', ...windowParams(w) });
      assertStatus(r, 200, JSON.stringify(w));
      assert.deepEqual((r.json.pm25 ?? []).map((i) => i.observedAt), want.map((p) => iso(p.t)), JSON.stringify(w));
      assert.equal(r.json.status, undefined, 'attrs projects the history');
      const last = await get(`/temporal/entities/${encodeURIComponent(s.id)}`, { attrs: 'pm25', lastN: 5, ...windowParams(w) });
      assertStatus(last, 200);
      assert.deepEqual((last.json.pm25 ?? []).map((i) => i.value), want.slice(-5).map((p) => p.value), `lastN ${JSON.stringify(w)}`);
    }
  });

  test('temporalValues: [value, time] pairs', async () => {
    const s = SENSORS[2];
    const r = await get(`/temporal/entities/${encodeURIComponent(s.id)}`, { options: 'temporalValues', attrs: 'pm25,status' });
    assertStatus(r, 200);
    assert.equal(r.json.pm25.type, 'Property');
    assert.deepEqual(r.json.pm25.values, points[s.id].pm25.map((p) => [p.value, iso(p.t)]));
    assert.deepEqual(r.json.status.values, points[s.id].status.map((p) => [p.value, iso(p.t)]));
    const f = await get(`/temporal/entities/${encodeURIComponent(s.id)}`, { format: 'temporalValues', attrs: 'status' });
    assert.deepEqual(f.json.status, r.json.status);
  });

  test('aggregated values agree with brute force', async () => {
    const all = ['totalCount', 'distinctCount', 'sum', 'sumsq', 'min', 'max', 'avg', 'stddev'];
    const cases = [
      { w: { from: T0, to: T0 + 5 * HOUR }, period: 'PT1H', ms: HOUR, methods: ['avg', 'min', 'max', 'totalCount'] },
      { w: { from: T0, to: T0 + 4 * HOUR }, period: 'PT2H', ms: 2 * HOUR, methods: all },
      { w: { from: T0 + 7 * MIN, to: T0 + 3 * HOUR + 11 * MIN }, period: 'PT15M', ms: 15 * MIN, methods: all },
      { w: { from: T0 + 90 * MIN }, period: 'PT1H', ms: HOUR, methods: ['sum', 'stddev'] },
      { w: {}, period: 'PT1H', ms: HOUR, methods: ['avg', 'totalCount'] },
      { w: { to: T0 + 3 * HOUR }, period: 'PT0S', ms: 0, methods: all },
      { w: { from: T0, to: T0 + 24 * HOUR }, period: 'P1D', ms: 24 * HOUR, methods: ['avg', 'max'] },
    ];
    for (const s of SENSORS.slice(0, 2)) {
      for (const c of cases) {
        const params = { attrs: 'pm25,status', aggrMethods: c.methods.join(','), aggrPeriodDuration: c.period, ...windowParams(c.w) };
        const r = await get(`/temporal/entities/${encodeURIComponent(s.id)}`, params);
        assertStatus(r, 200, qs(params));
        const what = `${s.id} ${qs(params)}`;
        assertAggregates(r.json.pm25, expectedAggregates(points[s.id].pm25, c.w, c.ms, c.methods), what);
        const status = expectedAggregates(points[s.id].status, c.w, c.ms, c.methods);
        if (status) assertAggregates(r.json.status, status, `${what} (text values)`);
      }
    }
  });

  test('appending instances extends the history', async () => {
    const s = SENSORS[3];
    const t = T0 + 6 * HOUR;
    const r = await m.post(`/temporal/entities/${encodeURIComponent(s.id)}/attrs`, {
      pm25: [{ type: 'Property', value: 12.5, observedAt: iso(t) }, { type: 'Property', value: 13.5, observedAt: iso(t + MIN) }],
    });
    assertStatus(r, 204);
    points[s.id].pm25.push({ t, value: 12.5 }, { t: t + MIN, value: 13.5 });
    const got = await get(`/temporal/entities/${encodeURIComponent(s.id)}`, { attrs: 'pm25', lastN: 2 });
    assert.deepEqual(got.json.pm25.map((i) => i.value), [12.5, 13.5]);
  });

  test('entity updates through /entities become history', async () => {
    const s = SENSORS[3];
    const t = T0 + 7 * HOUR;
    const r = await m.patch(`/entities/${encodeURIComponent(s.id)}/attrs`, { pm25: { type: 'Property', value: 99.5, observedAt: iso(t) } });
    assertStatus(r, 204);
    points[s.id].pm25.push({ t, value: 99.5 });
    const got = await get(`/temporal/entities/${encodeURIComponent(s.id)}`, { attrs: 'pm25', lastN: 1 });
    assert.deepEqual(got.json.pm25.map((i) => i.value), [99.5]);
    // And the current state is the newest instance the temporal create wrote.
    const current = await m.get(`/entities/${encodeURIComponent(SENSORS[0].id)}?options=keyValues`);
    assert.equal(current.json.pm25, points[SENSORS[0].id].pm25.at(-1).value);
  });
});

describe('temporal queries', () => {
  test('select by type and q on the current state, with aggregates per entity', async () => {
    const params = {
      type: 'AirQualityObserved', q: 'district=="渋谷区"', attrs: 'pm25', aggrMethods: 'avg',
      aggrPeriodDuration: 'PT1H', timerel: 'between', timeAt: iso(T0), endTimeAt: iso(T0 + 5 * HOUR),
    };
    const r = await get('/temporal/entities', params);
    assertStatus(r, 200);
    const want = SENSORS.filter((s) => s.district === '渋谷区');
    assert.deepEqual(r.json.map((e) => e.id).sort(), want.map((s) => s.id).sort());
    for (const e of r.json) {
      assertAggregates(e.pm25, expectedAggregates(points[e.id].pm25, { from: T0, to: T0 + 5 * HOUR }, HOUR, ['avg']), e.id);
    }
  });

  test('POST /temporal/entityOperations/query with temporalQ', async () => {
    const w = { from: T0 + HOUR, to: T0 + 2 * HOUR };
    const r = await m.post('/temporal/entityOperations/query?options=temporalValues', {
      type: 'Query',
      entities: [{ type: 'AirQualityObserved' }],
      attrs: ['pm25'],
      temporalQ: { timerel: 'between', timeAt: iso(w.from), endTimeAt: iso(w.to) },
    });
    assertStatus(r, 200);
    assert.equal(r.json.length, SENSORS.length);
    for (const e of r.json) {
      assert.deepEqual(e.pm25.values, points[e.id].pm25.filter((p) => inWindow(p.t, w)).map((p) => [p.value, iso(p.t)]));
    }
    const last = await m.post('/temporal/entityOperations/query', {
      type: 'Query', entities: [{ id: SENSORS[0].id, type: 'AirQualityObserved' }], attrs: ['pm25'], temporalQ: { lastN: 3 },
    });
    assertStatus(last, 200);
    assert.deepEqual(last.json[0].pm25.map((i) => i.value), points[SENSORS[0].id].pm25.slice(-3).map((p) => p.value));
  });
});

describe('series: aggregates grouped by an attribute', () => {
  test('pooled per district, hour-aligned and not, against brute force', async () => {
    for (const w of [{ from: T0, to: T0 + 5 * HOUR }, { from: T0 + 13 * MIN, to: T0 + 4 * HOUR + 13 * MIN }]) {
      const params = {
        type: 'AirQualityObserved', groupBy: 'district', attrs: 'pm25', aggrMethods: 'avg,max,totalCount,stddev',
        aggrPeriodDuration: 'PT1H', timerel: 'between', timeAt: iso(w.from), endTimeAt: iso(w.to),
      };
      const r = await m.get(`/machi/v1/series?${qs(params)}`);
      assertStatus(r, 200, qs(params));
      assert.equal(r.json.groupBy, 'district');
      const districts = [...new Set(SENSORS.map((s) => s.district))].sort();
      assert.deepEqual(r.json.series.map((g) => g.group).sort(), districts);
      for (const g of r.json.series) {
        const members = SENSORS.filter((s) => s.district === g.group);
        assert.equal(g.entities, members.length);
        assert.equal(g.attribute, 'pm25');
        const pooled = members.flatMap((s) => points[s.id].pm25);
        const want = expectedAggregates(pooled, w, HOUR, ['avg', 'max', 'totalCount', 'stddev']);
        const { group, attribute, entities, ...got } = g;
        assertAggregates(got, want, `${g.group} ${qs(params)}`);
      }
    }
  });

  test('bad requests are refused', async () => {
    const base = { type: 'AirQualityObserved', groupBy: 'district', aggrMethods: 'avg' };
    assertStatus(await m.get(`/machi/v1/series?${qs(base)}`), 200);
    for (const drop of ['type', 'groupBy', 'aggrMethods']) {
      const params = { ...base };
      delete params[drop];
      assertProblem(await m.get(`/machi/v1/series?${qs(params)}`), 400, 'BadRequestData');
    }
    assertProblem(await m.get(`/machi/v1/series?${qs({ ...base, aggrMethods: 'mode' })}`), 400, 'BadRequestData');
  });
});

describe('temporal errors change nothing', () => {
  const id = () => encodeURIComponent(SENSORS[0].id);
  const bad = [
    ['timerel without timeAt', { timerel: 'after' }],
    ['unknown timerel', { timerel: 'during', timeAt: iso(T0) }],
    ['between without endTimeAt', { timerel: 'between', timeAt: iso(T0) }],
    ['endTimeAt before timeAt', { timerel: 'between', timeAt: iso(T0 + HOUR), endTimeAt: iso(T0) }],
    ['bad timeAt', { timerel: 'after', timeAt: 'yesterday' }],
    ['lastN=0', { lastN: '0' }],
    ['lastN not a number', { lastN: 'ten' }],
    ['unknown aggregation method', { aggrMethods: 'median' }],
    ['bad duration', { aggrMethods: 'avg', aggrPeriodDuration: 'one hour' }],
    ['aggregatedValues without methods', { format: 'aggregatedValues' }],
    ['unknown format', { format: 'pretty' }],
  ];
  for (const [what, params] of bad) {
    test(what, async () => {
      const r = await get(`/temporal/entities/${id()}`, params);
      assertProblem(r, 400, 'BadRequestData');
    });
  }
  test('unknown entity, query without a selection, instance without observedAt', async () => {
    assertProblem(await m.get('/temporal/entities/urn:ngsi-ld:Nothing:1'), 404, 'ResourceNotFound');
    assertProblem(await m.get('/temporal/entities?timerel=after&timeAt=2026-01-01T00:00:00Z'), 400, 'BadRequestData');
    const before = await get(`/temporal/entities/${id()}`, { attrs: 'pm25' });
    const r = await m.post(`/temporal/entities/${id()}/attrs`, { pm25: [{ type: 'Property', value: 1, observedAt: iso(T0) }, { type: 'Property', value: 2 }] });
    assertProblem(r, 400, 'BadRequestData');
    const afterwards = await get(`/temporal/entities/${id()}`, { attrs: 'pm25' });
    assert.equal(afterwards.json.pm25.length, before.json.pm25.length, 'a rejected append writes nothing');
    assertProblem(await m.post('/temporal/entities', { id: 'not a uri', type: 'X', a: [{ value: 1, observedAt: iso(T0) }] }), 400, 'BadRequestData');
  });
});

describe('history retention per entity type', () => {
  test('a new setting deletes older points of that type only, at once', async () => {
    const now = Date.now();
    const DAY = 86400000;
    for (const [id, type] of [['urn:ngsi-ld:RiverGauge:ret-1', 'RiverGauge'], ['urn:ngsi-ld:RainGauge:ret-1', 'RainGauge']]) {
      const r = await m.post('/temporal/entities', {
        id, type,
        level: [40, 20, 5, 1].map((d) => ({ type: 'Property', value: d, observedAt: iso(now - d * DAY) })),
      });
      assertStatus(r, 201, id);
    }
    assertProblem(await m.put('/machi/v1/history-retention/RiverGauge', { days: 0 }), 400, 'BadRequestData');
    assertProblem(await m.put('/machi/v1/history-retention/RiverGauge', { days: 'ten' }), 400, 'BadRequestData');
    const set = await m.put('/machi/v1/history-retention/RiverGauge', { days: 10 });
    assertStatus(set, 200);
    assert.equal(set.json.deleted, 2);
    const river = await m.get('/temporal/entities/urn:ngsi-ld:RiverGauge:ret-1?options=temporalValues');
    assert.deepEqual(river.json.level.values.map((v) => v[0]), [5, 1]);
    const rain = await m.get('/temporal/entities/urn:ngsi-ld:RainGauge:ret-1?options=temporalValues');
    assert.equal(rain.json.level.values.length, 4, 'other types keep their history');
    const list = await m.get('/machi/v1/history-retention');
    assert.deepEqual(list.json, [{ type: 'RiverGauge', days: 10 }]);
    assertStatus(await m.delete('/machi/v1/history-retention/RiverGauge'), 204);
    assertProblem(await m.delete('/machi/v1/history-retention/RiverGauge'), 404, 'ResourceNotFound');
  });
});

describe('temporal deletion', () => {
  test('one attribute, then the whole history', async () => {
    const s = SENSORS[2];
    const path = `/temporal/entities/${encodeURIComponent(s.id)}`;
    assertStatus(await m.delete(`${path}/attrs/status`), 204);
    let r = await m.get(path);
    assert.equal(r.json.status, undefined, show(r));
    assert.ok(r.json.pm25.length > 0);
    assertProblem(await m.delete(`${path}/attrs/status`), 404, 'ResourceNotFound');
    assertStatus(await m.delete(path), 204);
    r = await m.get(path);
    assertStatus(r, 200, 'the entity itself stays');
    assert.equal(r.json.pm25, undefined);
  });
});
