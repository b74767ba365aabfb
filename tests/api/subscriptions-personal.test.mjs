// Subscriptions to personal data: only under a grant, and every
// notification passes the policy enforcement point with the subscriber's
// principal and grant, so that its access decision lands in the ledger and
// withheld entities are not sent.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Receiver, sleep } from './lib/receiver.mjs';
import { accountWithToken, as, assertAccessEntry, clientCredentials, subjectIn } from './lib/trust.mjs';
import { assertProblem, assertStatus, show, startServer, stopServer } from './lib/util.mjs';

const enc = encodeURIComponent;
let m;
let rx;
const people = {};
const PURPOSE = 'dpv:ImproveTransportMobility';

function trip(subject, distance) {
  return {
    id: `urn:ngsi-ld:TripRecord:${subject}`,
    type: 'TripRecord',
    dataSubject: { type: 'Property', value: subject },
    distance: { type: 'Property', value: distance },
  };
}

function consentBody(subject, events = [{ type: 'given' }]) {
  return {
    dataSubject: subject,
    processing: {
      notice: 'https://city.example/notices/data-use',
      language: 'ja',
      purposes: [PURPOSE],
      personalData: ['dpv-pd:Location'],
      controllers: ['city'],
      recipients: ['Transit Lab'],
      retention: 'P1Y',
      withdrawalMethod: 'https://city.example/my/consents',
    },
    parties: [{ id: 'city', name: 'Machi City', role: 'controller', contact: 'privacy@city.example' }],
    events,
  };
}

async function ledgerSize() {
  const r = await m.get('/machi/v1/ledger/head', { auth: false });
  return r.json.size;
}

async function entriesSince(size) {
  const h = await m.get('/machi/v1/ledger/head', { auth: false });
  const out = [];
  for (let i = size; i < h.json.size; ++i) {
    const r = await m.get(`/machi/v1/ledger/entries/${i}`, as(people.auditor.token));
    assertStatus(r, 200);
    out.push(JSON.parse(r.json.entry));
  }
  return out;
}

before(async () => {
  m = await startServer({ args: ['--durability', 'process'] });
  rx = await new Receiver().start();
  for (const [name, fields] of Object.entries({
    provider: { roles: ['provider'] },
    consumer: { roles: ['consumer'] },
    auditor: { roles: ['auditor'] },
    alice: { roles: ['resident'], subject: 'sub-alice' },
    dave: { roles: ['resident'], subject: 'sub-dave' },
  })) {
    people[name] = await accountWithToken(m, { username: name, ...fields });
  }
  assertStatus(await m.put('/machi/v1/personal-types/TripRecord', { dataCategories: ['dpv-pd:Location'] }), 200);
  for (const s of ['sub-alice', 'sub-dave']) {
    assertStatus(await m.post('/ngsi-ld/v1/entities', trip(s, 1), as(people.provider.token)), 201);
  }
  assertStatus(await m.post('/machi/v1/consents', consentBody('sub-alice'), as(people.alice.token)), 201);
  assertStatus(await m.post('/machi/v1/consents', consentBody('sub-dave', [{ type: 'refused' }]), as(people.dave.token)), 201);
});

after(async () => {
  await rx.stop();
  await stopServer(m);
});

test('a subscription to personal data needs a grant; its notifications are ledgered and leave withheld entities out', async () => {
  const sub = {
    type: 'Subscription',
    entities: [{ type: 'TripRecord' }],
    notification: { format: 'keyValues', endpoint: { uri: rx.url('/trips') } },
  };
  // without a grant: refused
  const refused = await m.post('/ngsi-ld/v1/subscriptions', sub, as(people.consumer.token));
  assert.equal(refused.status, 403, show(refused));
  assert.match(refused.json.type, /Forbidden$/);
  assert.match(refused.json.detail, /grant/);

  const grant = await m.post('/machi/v1/grants', {
    name: 'Bus route planning', recipient: 'Transit Lab', consumer: people.consumer.account.id,
    purposes: [PURPOSE], legalBasis: 'consent', entityTypes: ['TripRecord'], pseudonymize: false,
  });
  assertStatus(grant, 201);
  const client = await m.post('/machi/v1/clients', { name: 'trips app', grants: [grant.json.id] }, as(people.consumer.token));
  assertStatus(client, 201);
  const t = await clientCredentials(m, client.json.client_id, client.json.client_secret);
  const app = t.json.access_token;
  const headers = { 'Machi-Grant': grant.json.id, 'Machi-Purpose': PURPOSE };

  const created = await m.post('/ngsi-ld/v1/subscriptions', sub, as(app, headers));
  assertStatus(created, 201);
  const subId = decodeURIComponent(created.headers.get('location').split('/').pop());
  // the subscription belongs to its creator: another consumer does not see it
  const other = await accountWithToken(m, { username: 'consumer2', roles: ['consumer'] });
  assertProblem(await m.get(`/ngsi-ld/v1/subscriptions/${enc(subId)}`, as(other.token)), 404, 'ResourceNotFound');
  const theirs = await m.get('/ngsi-ld/v1/subscriptions', as(other.token));
  assert.deepEqual(theirs.json, []);
  const mine = await m.get('/ngsi-ld/v1/subscriptions', as(app));
  assert.deepEqual(mine.json.map((s) => s.id), [subId]);

  // the administrator sees it and may pause it, but not redirect it
  const path = `/ngsi-ld/v1/subscriptions/${enc(subId)}`;
  const redirect = await m.patch(path, { notification: { endpoint: { uri: rx.url('/admin') } } });
  assert.equal(redirect.status, 403, show(redirect));
  assertStatus(await m.patch(path, { isActive: false }), 204);
  assertStatus(await m.patch(path, { isActive: true }), 204);
  assert.equal((await m.get(path, as(app))).json.notification.endpoint.uri, rx.url('/trips'));

  const size = await ledgerSize();
  // dave refused: his update is matched but withheld
  assertStatus(await m.patch(`/ngsi-ld/v1/entities/${enc('urn:ngsi-ld:TripRecord:sub-dave')}/attrs`,
    { distance: { type: 'Property', value: 9 } }, as(people.provider.token)), 204);
  await sleep(600);
  assert.equal(rx.at('/trips').length, 0, 'a withheld entity is not notified');
  assertStatus(await m.patch(`/ngsi-ld/v1/entities/${enc('urn:ngsi-ld:TripRecord:sub-alice')}/attrs`,
    { distance: { type: 'Property', value: 7 } }, as(people.provider.token)), 204);
  await rx.until(() => rx.at('/trips').length >= 1);
  await sleep(300);
  const data = rx.at('/trips').flatMap((n) => n.body.data);
  assert.deepEqual(data.map((e) => e.id), ['urn:ngsi-ld:TripRecord:sub-alice']);
  assert.equal(data[0].distance, 7);

  // each notification's decision is in the ledger
  const entries = (await entriesSince(size)).filter((e) => e.type === 'access' && (e.action ?? '').startsWith('NOTIFY'));
  assert.ok(entries.length >= 2, `notification access entries: ${JSON.stringify(entries)}`);
  for (const e of entries) assertAccessEntry(e);
  const denied = entries.find((e) => e.decision === 'deny');
  const allowed = entries.find((e) => e.decision === 'allow');
  assert.ok(denied && allowed, JSON.stringify(entries));
  assert.equal(allowed.grant, grant.json.id);
  assert.ok(subjectIn(allowed, 'sub-alice').released, 'alice is released in the allowed entry');
  assert.equal(subjectIn(denied, 'sub-dave').withheld !== undefined || denied.withheldCount >= 1 || Object.keys(denied.reasons ?? {}).length > 0, true);
  // the resident sees the notification in their own ledger
  const r = await m.get('/machi/v1/ledger/mine?limit=1000', as(people.alice.token));
  assertStatus(r, 200, show(r));
  assert.ok(r.json.entries.some((e) => (JSON.parse(e.entry).action ?? '').startsWith('NOTIFY')));
});
