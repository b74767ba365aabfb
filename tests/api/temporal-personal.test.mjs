// The history of personal data leaves only through the policy enforcement
// point: the temporal API withholds what /entities withholds, every such
// request lands in the ledger, and series refuse personal types.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { accountWithToken, as } from './lib/trust.mjs';
import { assertProblem, assertStatus, show, startServer, stopServer } from './lib/util.mjs';

let m;
const people = {};
const T0 = Date.parse('2026-11-01T00:00:00Z');
const iso = (t) => new Date(t).toISOString();
const ID = 'urn:ngsi-ld:HeartRate:sub-alice';

async function ledgerSize() {
  const r = await m.get('/machi/v1/ledger/head', { auth: false });
  assertStatus(r, 200, 'ledger head');
  return r.json.size;
}

before(async () => {
  m = await startServer();
  for (const [name, fields] of Object.entries({
    alice: { roles: ['resident'], subject: 'sub-alice' },
    bob: { roles: ['resident'], subject: 'sub-bob' },
    staff: { roles: ['city_staff'] },
    provider: { roles: ['provider'] },
  })) {
    people[name] = await accountWithToken(m, { username: name, ...fields });
  }
  assertStatus(await m.put('/machi/v1/personal-types/HeartRate', { specialCare: true }), 200, 'personal type');
  const r = await m.post('/ngsi-ld/v1/temporal/entities', {
    id: ID,
    type: 'HeartRate',
    dataSubject: [{ type: 'Property', value: 'sub-alice', observedAt: iso(T0) }],
    dataProvider: [{ type: 'Property', value: '病院', observedAt: iso(T0) }],
    bpm: [0, 1, 2, 3].map((i) => ({ type: 'Property', value: 60 + i, observedAt: iso(T0 + i * 60000) })),
  }, as(people.provider.token));
  assertStatus(r, 201, 'create the history');
});

after(async () => {
  await stopServer(m);
});

test('a city employee without a grant sees no personal history, and the refusal is logged', async () => {
  const before = await ledgerSize();
  assertProblem(await m.get(`/ngsi-ld/v1/temporal/entities/${encodeURIComponent(ID)}`, as(people.staff.token)), 404, 'ResourceNotFound');
  const query = await m.get('/ngsi-ld/v1/temporal/entities?type=HeartRate&aggrMethods=avg', as(people.staff.token));
  assertStatus(query, 200);
  assert.deepEqual(query.json, [], show(query));
  assert.equal(await ledgerSize(), before + 2, 'each request that touched personal data has one entry');
  const other = await m.get(`/ngsi-ld/v1/temporal/entities/${encodeURIComponent(ID)}`, as(people.bob.token));
  assertProblem(other, 404, 'ResourceNotFound');
});

test('the data subject reads their own history, logged', async () => {
  const before = await ledgerSize();
  const r = await m.get(`/ngsi-ld/v1/temporal/entities/${encodeURIComponent(ID)}?attrs=bpm&options=temporalValues`,
    as(people.alice.token));
  assertStatus(r, 200);
  assert.deepEqual(r.json.bpm.values.map((v) => v[0]), [60, 61, 62, 63]);
  assert.equal(await ledgerSize(), before + 1);
});

test('series refuse personal types', async () => {
  const r = await m.get('/machi/v1/series?type=HeartRate&groupBy=dataProvider&aggrMethods=avg', as(people.staff.token));
  assert.equal(r.status, 403, show(r));
  assert.match(r.json.detail, /personal/);
});
