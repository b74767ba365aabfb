// Query entities (clause 5.7.2, GET /entities and POST /entityOperations/query):
// every answer is checked against a brute-force filter computed here in JS
// over the entities this test created.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertProblem, assertStatus, createAll, parseLinks, qs, show, sorted, startServer, stopServer, timed } from './lib/util.mjs';

let m;

// ---- the data set ----

function mulberry32(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(20260101);
const pick = (list) => list[Math.floor(rand() * list.length)];
const round = (x, digits) => Number(x.toFixed(digits));

const NAMES = ['渋谷駅前', '新宿駅東口', '東京タワー', 'Shibuya Crossing', 'station-', 'Tokyo Dome', '代々木公園', '品川駅', 'SHIBUYA hall'];
const WARDS = ['Shibuya', 'Shinjuku', 'Minato', '千代田区'];
const COLORS = ['red', 'green', 'blue', 'yellow'];

// Geometry model: {kind:'point',x,y} | {kind:'rect',x1,y1,x2,y2} | {kind:'hline',x1,x2,y}
const point = (x, y) => ({ kind: 'point', x, y });
const rect = (x1, y1, x2, y2) => ({ kind: 'rect', x1, y1, x2, y2 });
const hline = (x1, x2, y) => ({ kind: 'hline', x1, x2, y });

function geojson(g) {
  switch (g.kind) {
    case 'point':
      return { type: 'Point', coordinates: [g.x, g.y] };
    case 'rect':
      return { type: 'Polygon', coordinates: rectRing(g) };
    case 'hline':
      return { type: 'LineString', coordinates: [[g.x1, g.y], [g.x2, g.y]] };
    default:
      throw new Error(g.kind);
  }
}
const rectRing = (g) => [[[g.x1, g.y1], [g.x2, g.y1], [g.x2, g.y2], [g.x1, g.y2], [g.x1, g.y1]]];

const MODEL = [];
const STATIONS = [];
for (let i = 0; i < 8; i++) STATIONS.push(`urn:ngsi-ld:Station:qs${i}`);

function pointEntity(type, i) {
  const e = { id: `urn:ngsi-ld:${type}:qs${i}`, type };
  e.geo = point(round(139.6 + rand() * 0.2, 5), round(35.6 + rand() * 0.15, 5));
  if (type === 'Sensor' && rand() > 0.2) {
    e.temperature = Math.round((rand() * 50 - 10) * 2) / 2;
    e.observedAt = `2026-0${1 + Math.floor(rand() * 5)}-1${Math.floor(rand() * 9)}T0${Math.floor(rand() * 9)}:00:00.000Z`;
    e.unitCode = pick(['CEL', 'FAH']);
  }
  if (rand() > 0.1) e.status = pick(['open', 'closed', 'maintenance']);
  if (rand() > 0.1) e.name = (() => {
    const base = pick(NAMES);
    return base.endsWith('-') ? `${base}${i}` : `${base} ${i}`;
  })();
  if (rand() > 0.1) e.active = rand() > 0.5;
  if (rand() > 0.1) {
    const t = Date.UTC(2024, 0, 1) + Math.floor(rand() * 3 * 365) * 86400000 + Math.floor(rand() * 24) * 3600000;
    e.installedAt = new Date(t).toISOString();
  }
  if (rand() > 0.15) e.address = { ward: pick(WARDS), floors: 1 + Math.floor(rand() * 10), zip: `1${Math.floor(rand() * 90 + 10)}-0001` };
  if (type === 'Sensor' && rand() > 0.3) e.refStation = pick(STATIONS);
  if (rand() > 0.3) {
    e.tags = COLORS.filter(() => rand() > 0.5);
    if (e.tags.length === 0) e.tags = ['green'];
  }
  if (type === 'Shop') e.area = rect(round(e.geo.x - 0.004, 5), round(e.geo.y - 0.003, 5), round(e.geo.x + 0.004, 5), round(e.geo.y + 0.003, 5));
  return e;
}

for (let i = 0; i < 40; i++) MODEL.push(pointEntity('Sensor', i));
for (let i = 0; i < 8; i++) MODEL.push(pointEntity('Station', i));
for (let i = 0; i < 8; i++) MODEL.push(pointEntity('Shop', i));
// Values the table below depends on, on top of the random ones.
Object.assign(MODEL[0], { installedAt: '2025-06-01T05:00:00.000Z', temperature: 21, observedAt: '2026-03-01T00:00:00.000Z', unitCode: 'CEL' });
Object.assign(MODEL[1], { installedAt: '2025-05-31T23:30:00.000Z', temperature: 20.5, observedAt: '2026-01-15T00:00:00.000Z', unitCode: 'FAH' });
Object.assign(MODEL[2], { temperature: -3.5, observedAt: '2026-02-01T00:00:00.000Z', unitCode: 'CEL', name: '東京タワー 2', status: 'open' });
Object.assign(MODEL[3], { temperature: 10, observedAt: '2026-04-01T00:00:00.000Z', unitCode: 'CEL', address: { ward: '千代田区', floors: 3, zip: '100-0001' } });
Object.assign(MODEL[4], { temperature: 20, observedAt: '2026-04-01T00:00:00.000Z', unitCode: 'CEL', tags: ['red', 'blue'], name: 'Tokyo Dome 4' });
Object.assign(MODEL[5], { refStation: 'urn:ngsi-ld:Station:qs3', status: 'maintenance', temperature: 5.5, observedAt: '2026-05-01T00:00:00.000Z', unitCode: 'CEL' });

// Two shops whose area lies inside the query polygon QA below.
for (const [i, x, y] of [[0, 139.67, 35.66], [1, 139.645, 35.675]]) {
  const shop = MODEL.find((e) => e.id === `urn:ngsi-ld:Shop:qs${i}`);
  shop.geo = point(x, y);
  shop.area = rect(round(x - 0.004, 5), round(y - 0.003, 5), round(x + 0.004, 5), round(y + 0.003, 5));
}

const ZONES = [
  ['Z1', rect(139.62, 35.62, 139.66, 35.66)],
  ['Z2', rect(139.65, 35.64, 139.7, 35.68)],
  ['Z3', rect(139.72, 35.7, 139.74, 35.72)],
  ['Z4', rect(139.61, 35.61, 139.79, 35.74)],
  ['Z5', rect(139.75, 35.605, 139.78, 35.63)],
  ['Z6', rect(139.68, 35.69, 139.7, 35.71)],
];
for (const [n, g] of ZONES) MODEL.push({ id: `urn:ngsi-ld:Zone:${n}`, type: 'Zone', geo: g });
const ROADS = [
  ['R1', hline(139.6, 139.7, 35.655)],
  ['R2', hline(139.71, 139.79, 35.705)],
  ['R3', hline(139.63, 139.64, 35.615)],
  ['R4', hline(139.605, 139.615, 35.73)],
];
for (const [n, g] of ROADS) MODEL.push({ id: `urn:ngsi-ld:Road:${n}`, type: 'Road', geo: g });

// An entity for catastrophic-backtracking patterns, far from everything else.
const EVIL_ID = `urn:ngsi-ld:Evil:${'a'.repeat(40)}x`;
MODEL.push({ id: EVIL_ID, type: 'Evil', name: `${'a'.repeat(40)}x`, geo: point(10.5, 10.5) });

function toEntity(e) {
  const out = { id: e.id, type: e.type };
  if (e.temperature !== undefined) {
    out.temperature = { type: 'Property', value: e.temperature, observedAt: e.observedAt, unitCode: e.unitCode };
  }
  if (e.status !== undefined) out.status = { type: 'Property', value: e.status };
  if (e.name !== undefined) out.name = { type: 'Property', value: e.name };
  if (e.active !== undefined) out.active = { type: 'Property', value: e.active };
  if (e.installedAt !== undefined) out.installedAt = { type: 'Property', value: { '@type': 'DateTime', '@value': e.installedAt } };
  if (e.address !== undefined) out.address = { type: 'Property', value: e.address };
  if (e.refStation !== undefined) out.refStation = { type: 'Relationship', object: e.refStation };
  if (e.tags !== undefined) out.tags = { type: 'Property', value: e.tags };
  out.location = { type: 'GeoProperty', value: geojson(e.geo) };
  if (e.area) out.area = { type: 'GeoProperty', value: geojson(e.area) };
  return out;
}

const POINT_TYPES = ['Sensor', 'Station', 'Shop'];
const ALL_IDS = MODEL.map((e) => e.id);

before(async () => {
  m = await startServer();
  await createAll(m, MODEL.map(toEntity));
});
after(async () => {
  await stopServer(m);
});

// ---- helpers ----

async function query(params, options) {
  const r = await m.get(`/entities?${qs({ limit: 1000, ...params })}`, options);
  return r;
}

async function queryIds(params) {
  const r = await query(params);
  assertStatus(r, 200, `GET /entities?${qs(params)}`);
  assert.ok(Array.isArray(r.json), `not an array: ${r.text.slice(0, 200)}`);
  const list = r.json.map((e) => e.id);
  assert.equal(new Set(list).size, list.length, 'duplicate entities in one answer');
  return sorted(list);
}

async function postQueryIds(body, params = { limit: 1000 }) {
  const r = await m.post(`/entityOperations/query?${qs(params)}`, { type: 'Query', ...body });
  assertStatus(r, 200, `POST query ${JSON.stringify(body)}`);
  return sorted(r.json.map((e) => e.id));
}

const expectIds = (pred, types) =>
  sorted(MODEL.filter((e) => (!types || types.includes(e.type)) && pred(e)).map((e) => e.id));

const isNum = (v) => typeof v === 'number';
const isStr = (v) => typeof v === 'string';
const t = (iso) => Date.parse(iso);

// ---- the tables ----

const Q_TABLE = [
  ['temperature>20', (e) => isNum(e.temperature) && e.temperature > 20],
  ['temperature>=20.5', (e) => isNum(e.temperature) && e.temperature >= 20.5],
  ['temperature<0', (e) => isNum(e.temperature) && e.temperature < 0],
  ['temperature<=-3.5', (e) => isNum(e.temperature) && e.temperature <= -3.5],
  ['temperature==21', (e) => e.temperature === 21],
  ['temperature!=21', (e) => isNum(e.temperature) && e.temperature !== 21],
  ['temperature==10..20', (e) => isNum(e.temperature) && e.temperature >= 10 && e.temperature <= 20],
  ['temperature==-5..5.5', (e) => isNum(e.temperature) && e.temperature >= -5 && e.temperature <= 5.5],
  ['temperature==1,2,3,21', (e) => [1, 2, 3, 21].includes(e.temperature)],
  ['temperature', (e) => isNum(e.temperature)],
  ['status=="open"', (e) => e.status === 'open'],
  ['status!="open"', (e) => isStr(e.status) && e.status !== 'open'],
  ['status=="open","closed"', (e) => e.status === 'open' || e.status === 'closed'],
  ['status>="maintenance"', (e) => isStr(e.status) && e.status >= 'maintenance'],
  ['status<"d"', (e) => isStr(e.status) && e.status < 'd'],
  ['status=="open";temperature>20', (e) => e.status === 'open' && e.temperature > 20],
  ['status=="closed"|active==true', (e) => e.status === 'closed' || e.active === true],
  ['(status=="open"|status=="maintenance");temperature<15', (e) => ['open', 'maintenance'].includes(e.status) && e.temperature < 15],
  ['active==false', (e) => e.active === false],
  ['active==true;(temperature<0|temperature>30)', (e) => e.active === true && (e.temperature < 0 || e.temperature > 30)],
  ['temperature>20|status=="maintenance";active==true', (e) => e.temperature > 20 || (e.status === 'maintenance' && e.active === true)],
  ['temperature.observedAt>=2026-03-01T00:00:00Z', (e) => isStr(e.observedAt) && t(e.observedAt) >= t('2026-03-01T00:00:00Z')],
  ['temperature.observedAt<2026-02-01T00:00:00Z;temperature>10', (e) => isStr(e.observedAt) && t(e.observedAt) < t('2026-02-01T00:00:00Z') && e.temperature > 10],
  ['temperature.unitCode=="FAH"', (e) => e.unitCode === 'FAH' && isNum(e.temperature)],
  ['address[ward]=="Shibuya"', (e) => e.address?.ward === 'Shibuya'],
  ['address[ward]=="千代田区"', (e) => e.address?.ward === '千代田区'],
  ['address[floors]>5', (e) => e.address?.floors > 5],
  ['address[floors]!=3', (e) => isNum(e.address?.floors) && e.address.floors !== 3],
  ['address[floors]==2..4;status=="open"', (e) => e.address?.floors >= 2 && e.address?.floors <= 4 && e.status === 'open'],
  ['installedAt>2025-06-01T00:00:00Z', (e) => isStr(e.installedAt) && t(e.installedAt) > t('2025-06-01T00:00:00Z')],
  ['installedAt==2025-01-01T00:00:00Z..2025-12-31T23:59:59Z', (e) => isStr(e.installedAt) && t(e.installedAt) >= t('2025-01-01T00:00:00Z') && t(e.installedAt) <= t('2025-12-31T23:59:59Z')],
  ['installedAt>=2025-06-01T09:00:00+09:00', (e) => isStr(e.installedAt) && t(e.installedAt) >= t('2025-06-01T00:00:00Z')],
  ['installedAt<2025-06-01T00:00:00.000Z', (e) => isStr(e.installedAt) && t(e.installedAt) < t('2025-06-01T00:00:00Z')],
  ['refStation==urn:ngsi-ld:Station:qs3', (e) => e.refStation === 'urn:ngsi-ld:Station:qs3'],
  ['refStation=="urn:ngsi-ld:Station:qs3"', (e) => e.refStation === 'urn:ngsi-ld:Station:qs3'],
  ['refStation==urn:ngsi-ld:Station:qs1,urn:ngsi-ld:Station:qs2', (e) => ['urn:ngsi-ld:Station:qs1', 'urn:ngsi-ld:Station:qs2'].includes(e.refStation)],
  ['tags=="red"', (e) => Array.isArray(e.tags) && e.tags.includes('red')],
  ['tags=="red";tags=="blue"', (e) => Array.isArray(e.tags) && e.tags.includes('red') && e.tags.includes('blue')],
  ['name~=駅', (e) => isStr(e.name) && /駅/.test(e.name)],
  ['name!~=駅', (e) => isStr(e.name) && !/駅/.test(e.name)],
  ['name~=(?i)shibuya', (e) => isStr(e.name) && /shibuya/i.test(e.name)],
  ['name~=Shibuya', (e) => isStr(e.name) && /Shibuya/.test(e.name)],
  ['name~=^東京', (e) => isStr(e.name) && /^東京/.test(e.name)],
  ['name~=[0-9]$;name~=^station', (e) => isStr(e.name) && /[0-9]$/.test(e.name) && /^station/.test(e.name)],
  ['name=="Tokyo Dome 4"', (e) => e.name === 'Tokyo Dome 4'],
  ['name=="東京タワー 2"', (e) => e.name === '東京タワー 2'],
  ['name~=駅;status!="closed"', (e) => isStr(e.name) && /駅/.test(e.name) && isStr(e.status) && e.status !== 'closed'],
  ['temperature>20|name~=タワー', (e) => e.temperature > 20 || (isStr(e.name) && /タワー/.test(e.name))],
  ['nothingHere>1', () => false],
  ['nothingHere!=1', () => false],
];

describe('q language (GET /entities?q=)', () => {
  for (const [q, pred] of Q_TABLE) {
    test(`q=${q}`, async () => {
      const expected = expectIds(pred);
      const got = await queryIds({ q });
      assert.deepEqual(got, expected, `q=${q}: ${got.length} results, expected ${expected.length}`);
    });
  }

  test('the table is not trivial: most queries select a proper, non-empty subset', () => {
    const sizes = Q_TABLE.map(([, pred]) => expectIds(pred).length);
    const proper = sizes.filter((n) => n > 0 && n < MODEL.length).length;
    assert.ok(proper >= Q_TABLE.length - 4, `only ${proper} of ${Q_TABLE.length} queries select a proper subset`);
  });

  test('q combines with type', async () => {
    const pred = (e) => e.status === 'open';
    assert.deepEqual(await queryIds({ q: 'status=="open"', type: 'Station,Shop' }), expectIds(pred, ['Station', 'Shop']));
  });

  test('a catastrophic-backtracking pattern answers quickly', async () => {
    const { result, ms } = await timed(query({ type: 'Evil', q: 'name~=(a+)+$' }));
    assertStatus(result, 200);
    assert.deepEqual(result.json, []);
    assert.ok(ms < 1000, `took ${ms} ms`);
    const { result: r2 } = await timed(query({ type: 'Evil', q: 'name~=^(a|aa)+x$' }));
    assert.deepEqual(r2.json.map((e) => e.id), [EVIL_ID]);
  });

  const BAD_Q = ['temperature>>', 'temperature==', '(status=="open"', 'status=="open', '==5', 'temperature>20;', ';', 'temperature>20|', 'a[b', 'temperature~=(', 'status=="a")', 'temperature=20', 'temperature>20;;status=="open"'];
  for (const q of BAD_Q) {
    test(`bad q ${q} answers 400`, async () => {
      assertProblem(await query({ q }), 400, ['BadRequestData', 'InvalidRequest']);
    });
  }
});

describe('POST /entityOperations/query', () => {
  const subset = Q_TABLE.filter((_, i) => i % 5 === 0);
  for (const [q, pred] of subset) {
    test(`q=${q}`, async () => {
      assert.deepEqual(await postQueryIds({ q }), expectIds(pred));
    });
  }

  test('entities selectors: types and ids', async () => {
    assert.deepEqual(await postQueryIds({ entities: [{ type: 'Station' }, { type: 'Shop' }] }), expectIds(() => true, ['Station', 'Shop']));
    assert.deepEqual(
      await postQueryIds({ entities: [{ id: 'urn:ngsi-ld:Sensor:qs1', type: 'Sensor' }, { id: 'urn:ngsi-ld:Sensor:qs7', type: 'Sensor' }] }),
      ['urn:ngsi-ld:Sensor:qs1', 'urn:ngsi-ld:Sensor:qs7'],
    );
    assert.deepEqual(
      await postQueryIds({ entities: [{ idPattern: '^urn:ngsi-ld:Station:qs[0-3]$', type: 'Station' }] }),
      STATIONS.slice(0, 4),
    );
  });

  test('attrs selects and projects', async () => {
    const r = await m.post('/entityOperations/query?limit=1000', { type: 'Query', entities: [{ type: 'Sensor' }], attrs: ['temperature'] });
    assertStatus(r, 200);
    assert.deepEqual(sorted(r.json.map((e) => e.id)), expectIds((e) => isNum(e.temperature), ['Sensor']));
    for (const e of r.json) assert.deepEqual(sorted(Object.keys(e)), ['id', 'temperature', 'type']);
  });

  test('a body that is not a Query answers 400', async () => {
    assertProblem(await m.post('/entityOperations/query', [1, 2]), 400, ['BadRequestData', 'InvalidRequest']);
    assertProblem(await m.post('/entityOperations/query', { type: 'Entity' }), 400, ['BadRequestData', 'InvalidRequest']);
    assertProblem(await m.post('/entityOperations/query', { type: 'Query', q: 'a>>' }), 400, ['BadRequestData', 'InvalidRequest']);
  });
});

describe('type, id, idPattern, attrs', () => {
  test('type=Sensor', async () => {
    assert.deepEqual(await queryIds({ type: 'Sensor' }), expectIds(() => true, ['Sensor']));
  });
  test('type=Station,Shop (comma list)', async () => {
    assert.deepEqual(await queryIds({ type: 'Station,Shop' }), expectIds(() => true, ['Station', 'Shop']));
  });
  test('type=Zone|Road (| list)', async () => {
    assert.deepEqual(await queryIds({ type: 'Zone|Road' }), expectIds(() => true, ['Zone', 'Road']));
  });
  test('an unknown type gives an empty list', async () => {
    assert.deepEqual(await queryIds({ type: 'NoSuchType' }), []);
  });
  test('id= list, unknown ids ignored', async () => {
    const want = ['urn:ngsi-ld:Sensor:qs3', 'urn:ngsi-ld:Zone:Z2', 'urn:ngsi-ld:Shop:qs5'];
    assert.deepEqual(await queryIds({ id: [...want, 'urn:ngsi-ld:Sensor:none'].join(',') }), sorted(want));
    assert.deepEqual(await queryIds({ id: want.join(','), type: 'Sensor' }), ['urn:ngsi-ld:Sensor:qs3']);
  });
  test('idPattern', async () => {
    const re = /^urn:ngsi-ld:Sensor:qs1[0-9]$/;
    assert.deepEqual(await queryIds({ idPattern: re.source }), sorted(ALL_IDS.filter((id) => re.test(id))));
    const re2 = /^urn:ngsi-ld:(Zone|Road):[A-Z][1-3]$/;
    assert.deepEqual(await queryIds({ idPattern: re2.source }), sorted(ALL_IDS.filter((id) => re2.test(id))));
  });
  test('idPattern with catastrophic backtracking answers quickly', async () => {
    const { result, ms } = await timed(query({ idPattern: '^urn:ngsi-ld:Evil:(a+)+$' }));
    assertStatus(result, 200);
    assert.deepEqual(result.json, []);
    assert.ok(ms < 1000, `took ${ms} ms`);
  });
  test('an invalid idPattern answers 400', async () => {
    assertProblem(await query({ idPattern: '(unclosed' }), 400, ['BadRequestData', 'InvalidRequest']);
  });
  test('attrs= returns the entities having one of them, projected', async () => {
    const r = await query({ type: 'Sensor', attrs: 'temperature,tags' });
    assertStatus(r, 200);
    assert.deepEqual(sorted(r.json.map((e) => e.id)), expectIds((e) => isNum(e.temperature) || Array.isArray(e.tags), ['Sensor']));
    for (const e of r.json) {
      for (const k of Object.keys(e)) assert.ok(['id', 'type', 'temperature', 'tags'].includes(k), `unexpected ${k}`);
    }
  });
  test('options=keyValues on a query', async () => {
    const r = await query({ id: 'urn:ngsi-ld:Sensor:qs4', type: 'Sensor', options: 'keyValues' });
    assertStatus(r, 200);
    assert.equal(r.json.length, 1);
    assert.equal(r.json[0].temperature, 20);
    assert.equal(r.json[0].name, 'Tokyo Dome 4');
  });
});

// ---- geo ----

const R_EARTH = 6371008.8;
function haversine([lon1, lat1], [lon2, lat2]) {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * R_EARTH * Math.asin(Math.sqrt(a));
}

// A distance near `approx` that no entity is within 2 % of (spherical and
// ellipsoidal distances differ by less than that).
function safeThreshold(distances, approx) {
  for (let k = 0; k < 400; k++) {
    for (const sign of [1, -1]) {
      const d = Math.round(approx * (1 + (sign * k) / 400));
      if (distances.every((x) => Math.abs(x - d) > 0.02 * d)) return d;
    }
  }
  throw new Error(`no safe threshold near ${approx}`);
}

// Query geometries in the same model, plus multi (list of rects) and vline.
const off = 0.000005; // keeps query boundaries off every data coordinate (data has 5 decimals or fewer)
const QA = rect(139.63 + off, 35.63 + off, 139.71 + off, 35.69 + off);
const QM = [rect(139.6 + off, 35.6 + off, 139.64 + off, 35.64 + off), rect(139.73 + off, 35.69 + off, 139.8 + off, 35.75 + off)];
const QP = point(139.655 + off, 35.645 + off);
const QS = rect(139.725 + off, 35.705 + off, 139.735 + off, 35.715 + off);
const QL = { kind: 'vline', x: 139.675 + off, y1: 35.6, y2: 35.75 };

const inRect = (p, r) => p.x > r.x1 && p.x < r.x2 && p.y > r.y1 && p.y < r.y2;
const onRect = (p, r) => p.x >= r.x1 && p.x <= r.x2 && p.y >= r.y1 && p.y <= r.y2;
const rectInRect = (a, b) => a.x1 >= b.x1 && a.x2 <= b.x2 && a.y1 >= b.y1 && a.y2 <= b.y2;
const rectsMeet = (a, b) => a.x1 <= b.x2 && b.x1 <= a.x2 && a.y1 <= b.y2 && b.y1 <= a.y2;
const rectsOverlapInside = (a, b) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
const lineRect = (l) => rect(l.x1, l.y, l.x2, l.y);

function within(g, q) {
  if (Array.isArray(q)) return q.some((r) => within(g, r));
  if (g.kind === 'point') return inRect(g, q);
  if (g.kind === 'rect') return rectInRect(g, q);
  return g.y > q.y1 && g.y < q.y2 && g.x1 > q.x1 && g.x2 < q.x2;
}
function contains(g, q) {
  if (q.kind === 'point') {
    if (g.kind === 'point') return g.x === q.x && g.y === q.y;
    if (g.kind === 'rect') return inRect(q, g);
    return false;
  }
  if (g.kind === 'rect') return rectInRect(q, g);
  return false;
}
function intersects(g, q) {
  if (Array.isArray(q)) return q.some((r) => intersects(g, r));
  if (q.kind === 'vline') {
    if (g.kind === 'point') return g.x === q.x && g.y >= q.y1 && g.y <= q.y2;
    if (g.kind === 'rect') return q.x >= g.x1 && q.x <= g.x2 && g.y1 <= q.y2 && q.y1 <= g.y2;
    return q.x >= g.x1 && q.x <= g.x2 && g.y >= q.y1 && g.y <= q.y2;
  }
  if (q.kind === 'point') {
    if (g.kind === 'point') return g.x === q.x && g.y === q.y;
    if (g.kind === 'rect') return onRect(q, g);
    return q.y === g.y && q.x >= g.x1 && q.x <= g.x2;
  }
  if (g.kind === 'point') return onRect(g, q);
  if (g.kind === 'rect') return rectsMeet(g, q);
  return rectsMeet(lineRect(g), q);
}
function overlaps(g, q) {
  // OGC overlaps: same dimension, interiors meet, neither contains the other.
  if (g.kind !== 'rect') return false;
  return rectsOverlapInside(g, q) && !rectInRect(g, q) && !rectInRect(q, g);
}

function queryGeo(q) {
  if (Array.isArray(q)) return { geometry: 'MultiPolygon', coordinates: q.map(rectRing) };
  if (q.kind === 'vline') return { geometry: 'LineString', coordinates: [[q.x, q.y1], [q.x, q.y2]] };
  const g = geojson(q);
  return { geometry: g.type, coordinates: g.coordinates };
}

describe('geo-queries', () => {
  const CENTER = [139.7, 35.68];
  const pointEntities = MODEL.filter((e) => POINT_TYPES.includes(e.type));
  const dist = (e) => haversine(CENTER, [e.geo.x, e.geo.y]);
  const dists = pointEntities.map(dist);
  const D1 = safeThreshold(dists, 5000);
  const D2 = safeThreshold(dists, 9000);

  const GEO_TABLE = [
    ['near;maxDistance', { georel: `near;maxDistance==${D1}`, geometry: 'Point', coordinates: CENTER, type: POINT_TYPES.join(',') }, (e) => dist(e) <= D1, POINT_TYPES],
    ['near;minDistance', { georel: `near;minDistance==${D2}`, geometry: 'Point', coordinates: CENTER, type: POINT_TYPES.join(',') }, (e) => dist(e) >= D2, POINT_TYPES],
    ['within Polygon', { georel: 'within', ...queryGeo(QA) }, (e) => within(e.geo, QA)],
    ['within MultiPolygon', { georel: 'within', ...queryGeo(QM) }, (e) => within(e.geo, QM)],
    ['contains Point', { georel: 'contains', ...queryGeo(QP) }, (e) => contains(e.geo, QP)],
    ['contains Polygon', { georel: 'contains', ...queryGeo(QS) }, (e) => contains(e.geo, QS)],
    ['intersects Polygon', { georel: 'intersects', ...queryGeo(QA) }, (e) => intersects(e.geo, QA)],
    ['intersects MultiPolygon', { georel: 'intersects', ...queryGeo(QM) }, (e) => intersects(e.geo, QM)],
    ['intersects LineString', { georel: 'intersects', ...queryGeo(QL) }, (e) => intersects(e.geo, QL)],
    ['intersects Point', { georel: 'intersects', ...queryGeo(QP) }, (e) => intersects(e.geo, QP)],
    ['disjoint Polygon', { georel: 'disjoint', ...queryGeo(QA) }, (e) => !intersects(e.geo, QA)],
    ['overlaps Polygon', { georel: 'overlaps', ...queryGeo(QA) }, (e) => overlaps(e.geo, QA)],
    ['equals Point', { georel: 'equals', geometry: 'Point', coordinates: [MODEL[7].geo.x, MODEL[7].geo.y] }, (e) => e.geo.kind === 'point' && e.geo.x === MODEL[7].geo.x && e.geo.y === MODEL[7].geo.y],
    ['equals Polygon', { georel: 'equals', ...queryGeo(ZONES[5][1]) }, (e) => e.id === 'urn:ngsi-ld:Zone:Z6'],
    ['within Polygon on geoproperty=area', { georel: 'within', ...queryGeo(QA), geoproperty: 'area' }, (e) => !!e.area && within(e.area, QA)],
    ['within Polygon with q', { georel: 'within', ...queryGeo(QA), q: 'status=="open"' }, (e) => within(e.geo, QA) && e.status === 'open'],
  ];

  for (const [name, params, pred, types] of GEO_TABLE) {
    test(`${name} (GET)`, async () => {
      const expected = expectIds(pred, types);
      const got = await queryIds({ ...params, coordinates: JSON.stringify(params.coordinates) });
      assert.deepEqual(got, expected, `${name}: ${JSON.stringify(params).slice(0, 300)}`);
    });
  }

  test('the geo table is not trivial', () => {
    const sizes = GEO_TABLE.map(([, , pred, types]) => expectIds(pred, types).length);
    for (let i = 0; i < sizes.length; i++) {
      assert.ok(sizes[i] > 0, `${GEO_TABLE[i][0]} selects nothing`);
      if (!GEO_TABLE[i][0].startsWith('equals')) assert.ok(sizes[i] > 1 || GEO_TABLE[i][0].includes('contains'), `${GEO_TABLE[i][0]} selects ${sizes[i]}`);
    }
    // near: both sides of each threshold are populated
    assert.ok(dists.some((d) => d < D1) && dists.some((d) => d > D1));
    assert.ok(dists.some((d) => d < D2) && dists.some((d) => d > D2));
  });

  for (const [name, params, pred, types] of GEO_TABLE.filter((_, i) => i % 3 === 0)) {
    test(`${name} (POST geoQ)`, async () => {
      const { georel, geometry, coordinates, geoproperty, type, q } = params;
      const body = { geoQ: { georel, geometry, coordinates, ...(geoproperty ? { geoproperty } : {}) } };
      if (type) body.entities = type.split(',').map((x) => ({ type: x }));
      if (q) body.q = q;
      assert.deepEqual(await postQueryIds(body), expectIds(pred, types));
    });
  }

  const BAD_GEO = [
    ['unknown georel', { georel: 'nearby', geometry: 'Point', coordinates: '[139.7,35.6]' }],
    ['near without a distance', { georel: 'near', geometry: 'Point', coordinates: '[139.7,35.6]' }],
    ['near with a non-numeric distance', { georel: 'near;maxDistance==far', geometry: 'Point', coordinates: '[139.7,35.6]' }],
    ['near with a negative distance', { georel: 'near;maxDistance==-5', geometry: 'Point', coordinates: '[139.7,35.6]' }],
    ['unknown geometry', { georel: 'within', geometry: 'Circle', coordinates: '[139.7,35.6]' }],
    ['malformed coordinates JSON', { georel: 'intersects', geometry: 'Point', coordinates: '[139.7,35.6' }],
    ['coordinates out of range', { georel: 'intersects', geometry: 'Point', coordinates: '[500,35.6]' }],
    ['Polygon with an open ring', { georel: 'within', geometry: 'Polygon', coordinates: '[[[139,35],[140,35],[140,36],[139,36]]]' }],
    ['Polygon given Point coordinates', { georel: 'within', geometry: 'Polygon', coordinates: '[139.7,35.6]' }],
    ['coordinates that are a string', { georel: 'intersects', geometry: 'Point', coordinates: '"here"' }],
    ['georel without geometry', { georel: 'within', coordinates: '[139.7,35.6]' }],
    ['geometry without georel', { geometry: 'Point', coordinates: '[139.7,35.6]' }],
    ['huge coordinate numbers', { georel: 'intersects', geometry: 'Point', coordinates: '[1e400,35.6]' }],
  ];
  for (const [name, params] of BAD_GEO) {
    test(`bad geo-query: ${name} answers 400`, async () => {
      assertProblem(await query({ type: 'Sensor', ...params }), 400, ['BadRequestData', 'InvalidRequest']);
    });
  }
});

// ---- paging and counting ----

describe('paging', () => {
  const sensors = expectIds(() => true, ['Sensor']);

  test('default limit is 20, with a Link rel="next"', async () => {
    const r = await m.get('/entities?type=Sensor');
    assertStatus(r, 200);
    assert.equal(r.json.length, 20);
    const next = parseLinks(r.headers.get('link')).find((l) => l.rel === 'next');
    assert.ok(next, `no next link in ${r.headers.get('link')}`);
  });

  test('limit=1000 is allowed; limit=1001 answers 403 TooManyResults', async () => {
    assertStatus(await m.get('/entities?type=Sensor&limit=1000'), 200);
    assertProblem(await m.get('/entities?type=Sensor&limit=1001'), 403, 'TooManyResults');
  });

  test('offset paging covers every entity exactly once', async () => {
    const seen = [];
    for (let offset = 0; offset < sensors.length + 7; offset += 7) {
      const r = await m.get(`/entities?type=Sensor&limit=7&offset=${offset}`);
      assertStatus(r, 200);
      assert.ok(r.json.length <= 7);
      seen.push(...r.json.map((e) => e.id));
      const next = parseLinks(r.headers.get('link')).find((l) => l.rel === 'next');
      assert.equal(!!next, offset + 7 < sensors.length, `next link at offset ${offset}`);
    }
    assert.equal(seen.length, sensors.length, 'each entity once');
    assert.deepEqual(sorted(seen), sensors);
  });

  test('following the next links covers every entity exactly once', async () => {
    let url = `/ngsi-ld/v1/entities?${qs({ type: 'Sensor', limit: 9 })}`;
    const seen = [];
    for (let pages = 0; url && pages < 20; pages++) {
      const r = await m.get(url);
      assertStatus(r, 200, url);
      seen.push(...r.json.map((e) => e.id));
      const next = parseLinks(r.headers.get('link')).find((l) => l.rel === 'next');
      url = next ? new URL(next.url, m.base).pathname + new URL(next.url, m.base).search : null;
    }
    assert.equal(seen.length, sensors.length);
    assert.deepEqual(sorted(seen), sensors);
  });

  test('next links keep a q that needs percent-encoding', async () => {
    const q = 'name!="A&B #1";status!="x y"';
    const expected = expectIds((e) => isStr(e.name) && isStr(e.status), ['Sensor']);
    let url = `/ngsi-ld/v1/entities?${qs({ type: 'Sensor', q, limit: 5 })}`;
    const seen = [];
    for (let pages = 0; url && pages < 20; pages++) {
      const r = await m.get(url);
      assertStatus(r, 200, url);
      seen.push(...r.json.map((e) => e.id));
      const next = parseLinks(r.headers.get('link')).find((l) => l.rel === 'next');
      url = next ? new URL(next.url, m.base).pathname + new URL(next.url, m.base).search : null;
    }
    assert.deepEqual(sorted(seen), expected);
  });

  test('count=true gives NGSILD-Results-Count', async () => {
    const r = await m.get('/entities?type=Sensor&count=true&limit=5');
    assertStatus(r, 200);
    assert.equal(r.json.length, 5);
    assert.equal(r.headers.get('ngsild-results-count'), String(sensors.length));
    const q = 'temperature>20';
    const r2 = await m.get(`/entities?${qs({ q, count: 'true', limit: 1 })}`);
    assert.equal(r2.headers.get('ngsild-results-count'), String(expectIds((e) => e.temperature > 20).length));
    const r3 = await m.get('/entities?type=Sensor');
    assert.equal(r3.headers.get('ngsild-results-count'), null, 'no count unless asked');
  });

  test('limit=0&count=true answers only the count', async () => {
    const r = await m.get('/entities?type=Shop&limit=0&count=true');
    assertStatus(r, 200);
    assert.deepEqual(r.json, []);
    assert.equal(r.headers.get('ngsild-results-count'), String(expectIds(() => true, ['Shop']).length));
  });

  test('bad limit and offset values answer 400', async () => {
    for (const p of ['limit=-1', 'limit=abc', 'offset=-3', 'offset=x', 'limit=0', 'limit=1.5']) {
      assertProblem(await m.get(`/entities?type=Sensor&${p}`), 400, ['BadRequestData', 'InvalidRequest']);
    }
  });

  test('an offset past the end gives an empty list', async () => {
    const r = await m.get('/entities?type=Sensor&offset=5000');
    assertStatus(r, 200);
    assert.deepEqual(r.json, []);
  });
});

describe('representation of query answers', () => {
  test('Accept: application/geo+json answers a FeatureCollection', async () => {
    const r = await query({ type: 'Zone' }, { headers: { Accept: 'application/geo+json' } });
    assertStatus(r, 200);
    assert.equal(r.json.type, 'FeatureCollection');
    assert.deepEqual(sorted(r.json.features.map((f) => f.id)), expectIds(() => true, ['Zone']));
    const z1 = r.json.features.find((f) => f.id === 'urn:ngsi-ld:Zone:Z1');
    assert.deepEqual(z1.geometry, geojson(ZONES[0][1]));
  });

  test('stored values come back unchanged in query answers', async () => {
    const r = await query({ id: MODEL.slice(0, 6).map((e) => e.id).join(','), type: 'Sensor' });
    assertStatus(r, 200);
    for (const e of r.json) {
      const want = toEntity(MODEL.find((x) => x.id === e.id));
      assert.deepEqual(e, want, show(r));
    }
  });

  test('Accept: application/ld+json gives @context in each entity', async () => {
    const r = await query({ type: 'Road' }, { headers: { Accept: 'application/ld+json' } });
    assertStatus(r, 200);
    assert.equal(r.json.length, ROADS.length);
    for (const e of r.json) assert.ok(e['@context'], `no @context in ${JSON.stringify(e).slice(0, 100)}`);
  });
});

