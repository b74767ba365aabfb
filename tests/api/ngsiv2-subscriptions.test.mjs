// NGSIv2 subscriptions (/v2/subscriptions, FIWARE Orion) against a real
// machi and a real local HTTP receiver: the CRUD answers Orion documents,
// condition.attrs, expression q/mq/georel, attrsFormat, httpCustom,
// throttling, expires/status, service paths, tenants, an NGSI-LD write
// notifying a v2 subscriber, a receiver outage, personal data under a
// grant, and Orion's errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Machi } from './lib/machi.mjs';
import { Receiver, sleep } from './lib/receiver.mjs';
import { accountWithToken, as } from './lib/trust.mjs';
import { show, startServer, stopServer } from './lib/util.mjs';

const ARGS = ['--notify-initial-backoff-ms', '100', '--notify-max-backoff-ms', '400', '--durability', 'process'];
const NOT_FOUND = 'The requested subscription has not been found. Check id';

let m;
let rx;
let n = 0;
const uniq = (p) => `${p}${++n}x${Date.now() % 100000}`;

function assertV2Error(r, status, error, description) {
  assert.equal(r.status, status, show(r));
  assert.equal(r.json?.error, error, show(r));
  assert.equal(typeof r.json?.description, 'string', show(r));
  if (description) assert.equal(r.json.description, description, show(r));
}

async function subscribe(body, options = {}) {
  const r = await m.post('/v2/subscriptions', body, options);
  assert.equal(r.status, 201, show(r));
  const location = r.headers.get('location');
  assert.match(location, /^\/v2\/subscriptions\/[0-9a-f]{24}$/);
  return location.split('/').pop();
}

function sub(path, subject, notification = {}, extra = {}) {
  return { subject, notification: { http: { url: rx.url(path) }, ...notification }, ...extra };
}

async function upsert(entity, options = {}) {
  const r = await m.post('/v2/entities?options=upsert', entity, options);
  assert.ok(r.status === 201 || r.status === 204, show(r));
}

async function patchAttrs(id, attrs, options = {}) {
  const r = await m.patch(`/v2/entities/${id}/attrs?options=keyValues`, attrs, options);
  assert.equal(r.status, 204, show(r));
}

const dataAt = (path) => rx.at(path).flatMap((r) => r.body.data);

before(async () => {
  m = await startServer({ args: ARGS });
  rx = await new Receiver().start();
});

after(async () => {
  await rx.stop();
  await stopServer(m);
});

describe('the /v2/subscriptions API', () => {
  test('create 201 + Location, read back with Orion\'s members, list, count, patch, delete', async () => {
    const body = {
      description: 'rooms over 20',
      subject: { entities: [{ idPattern: 'CrudRoom.*', type: 'Room' }], condition: { attrs: ['temperature'] } },
      notification: { http: { url: rx.url('/crud') }, attrs: ['temperature'] },
      expires: '2040-01-01T14:00:00.00Z',
      throttling: 0,
    };
    const id = await subscribe(body);
    const got = await m.get(`/v2/subscriptions/${id}`);
    assert.equal(got.status, 200, show(got));
    assert.deepEqual(got.json, {
      id,
      description: 'rooms over 20',
      subject: { entities: [{ idPattern: 'CrudRoom.*', type: 'Room' }], condition: { attrs: ['temperature'] } },
      notification: { http: { url: rx.url('/crud') }, attrs: ['temperature'], onlyChangedAttrs: false,
        attrsFormat: 'normalized', covered: false },
      expires: '2040-01-01T14:00:00.00Z',
      status: 'active',
      throttling: 0,
    });
    const second = await subscribe(sub('/crud', { entities: [{ id: 'Nothing', type: 'Lot' }] }));

    const list = await m.get('/v2/subscriptions?options=count&limit=1');
    assert.equal(list.status, 200, show(list));
    assert.equal(list.json.length, 1);
    assert.ok(Number(list.headers.get('fiware-total-count')) >= 2);
    const all = await m.get('/v2/subscriptions?limit=1000');
    assert.ok(all.json.some((s) => s.id === id) && all.json.some((s) => s.id === second));
    const page = await m.get('/v2/subscriptions?offset=1&limit=1000');
    assert.equal(page.json.length, all.json.length - 1);

    let r = await m.patch(`/v2/subscriptions/${id}`, { status: 'inactive', throttling: 3 });
    assert.equal(r.status, 204, show(r));
    r = await m.get(`/v2/subscriptions/${id}`);
    assert.equal(r.json.status, 'inactive');
    assert.equal(r.json.throttling, 3);
    assert.equal(r.json.description, 'rooms over 20');

    assert.equal((await m.delete(`/v2/subscriptions/${id}`)).status, 204);
    assertV2Error(await m.get(`/v2/subscriptions/${id}`), 404, 'NotFound', NOT_FOUND);
    assertV2Error(await m.delete(`/v2/subscriptions/${id}`), 404, 'NotFound', NOT_FOUND);
    assertV2Error(await m.patch(`/v2/subscriptions/${id}`, { status: 'active' }), 404, 'NotFound', NOT_FOUND);
    assert.equal((await m.delete(`/v2/subscriptions/${second}`)).status, 204);
  });

  test('the entry point lists subscriptions_url', async () => {
    const r = await m.get('/v2');
    assert.equal(r.json.subscriptions_url, '/v2/subscriptions');
  });

  test('v2 and NGSI-LD subscriptions are served by their own API only', async () => {
    const v2 = await subscribe(sub('/apart', { entities: [{ id: 'Apart1' }] }));
    const ld = await m.post('/ngsi-ld/v1/subscriptions', { type: 'Subscription', entities: [{ type: 'Room' }],
      notification: { endpoint: { uri: rx.url('/apart-ld') } } });
    assert.equal(ld.status, 201, show(ld));
    const ldId = decodeURIComponent(ld.headers.get('location').split('/').pop());
    assert.equal((await m.get(`/ngsi-ld/v1/subscriptions/${v2}`)).status, 404);
    assert.ok(!(await m.get('/ngsi-ld/v1/subscriptions?limit=1000')).json.some((s) => s.id === v2));
    assertV2Error(await m.get(`/v2/subscriptions/${encodeURIComponent(ldId)}`), 404, 'NotFound');
    assert.ok(!(await m.get('/v2/subscriptions?limit=1000')).json.some((s) => s.id === ldId));
    await m.delete(`/v2/subscriptions/${v2}`);
    await m.delete(`/ngsi-ld/v1/subscriptions/${encodeURIComponent(ldId)}`);
  });
});

describe('notifications', () => {
  test('Orion\'s payload and headers; no initial notification; condition.attrs', async () => {
    await upsert({ id: 'NRoom1', type: 'Room', temperature: { value: 20, type: 'Float' }, pressure: { value: 1 } });
    const id = await subscribe(sub('/n1', { entities: [{ id: 'NRoom1', type: 'Room' }], condition: { attrs: ['temperature'] } }));
    await sleep(400);
    assert.equal(rx.at('/n1').length, 0, 'no initial notification (Orion 3.x)');
    await patchAttrs('NRoom1', { pressure: 2 });
    await sleep(400);
    assert.equal(rx.at('/n1').length, 0, 'a change of another attribute does not notify');
    const r = await m.patch('/v2/entities/NRoom1/attrs', { temperature: { value: 25.5, type: 'Float' } });
    assert.equal(r.status, 204, show(r));
    await rx.until(() => rx.at('/n1').length >= 1);
    const [note] = rx.at('/n1');
    assert.deepEqual(Object.keys(note.body), ['subscriptionId', 'data']);
    assert.equal(note.body.subscriptionId, id);
    assert.deepEqual(note.body.data, [{ id: 'NRoom1', type: 'Room',
      temperature: { type: 'Float', value: 25.5, metadata: {} }, pressure: { type: 'Number', value: 2, metadata: {} } }]);
    assert.equal(note.headers['content-type'], 'application/json');
    assert.equal(note.headers['ngsiv2-attrsformat'], 'normalized');
    assert.equal(note.headers['fiware-servicepath'], '/');
    assert.match(note.headers['fiware-correlator'], /^[0-9a-f]{32}$/);
    assert.equal(note.headers['fiware-service'], undefined, 'the default tenant has no Fiware-Service');
    await sleep(200);  // the notifier records the answer just after the receiver sent it
    const status = (await m.get(`/v2/subscriptions/${id}`)).json.notification;
    assert.equal(status.timesSent, 1);
    assert.equal(status.lastSuccessCode, 204);
    assert.match(status.lastNotification, /^\d{4}-/);
    assert.match(status.lastSuccess, /^\d{4}-/);
  });

  test('expression q, mq and georel filter what is notified', async () => {
    await subscribe(sub('/q', { entities: [{ idPattern: '^QRoom', type: 'Room' }],
      condition: { expression: { q: 'temperature>30;status==open' } } }, { attrsFormat: 'keyValues' }));
    await subscribe(sub('/mq', { entities: [{ idPattern: '^QRoom', type: 'Room' }],
      condition: { expression: { mq: 'temperature.accuracy<1' } } }, { attrsFormat: 'keyValues' }));
    await subscribe(sub('/geo', { entities: [{ idPattern: '^QRoom', type: 'Room' }],
      condition: { expression: { georel: 'near;maxDistance:2000', geometry: 'point', coords: '35.68,139.76' } } },
    { attrsFormat: 'keyValues', attrs: ['temperature'] }));
    const at = (lat, lon) => ({ type: 'geo:point', value: `${lat}, ${lon}` });
    await upsert({ id: 'QRoom1', type: 'Room', temperature: { value: 35, metadata: { accuracy: { value: 0.5 } } },
      status: { value: 'open' }, where: at(35.681, 139.761) });
    await upsert({ id: 'QRoom2', type: 'Room', temperature: { value: 35, metadata: { accuracy: { value: 2 } } },
      status: { value: 'closed' }, where: at(34.0, 135.0) });
    await upsert({ id: 'QRoom3', type: 'Room', temperature: { value: 10 }, status: { value: 'open' } });
    await rx.until(() => rx.at('/q').length >= 1 && rx.at('/mq').length >= 1 && rx.at('/geo').length >= 1);
    await sleep(300);
    assert.deepEqual(dataAt('/q').map((e) => e.id), ['QRoom1']);
    assert.deepEqual(dataAt('/mq').map((e) => e.id), ['QRoom1']);
    assert.deepEqual(dataAt('/geo'), [{ id: 'QRoom1', type: 'Room', temperature: 35 }]);
  });

  test('attrsFormat keyValues and values, exceptAttrs, metadata; httpCustom headers, qs and method', async () => {
    await subscribe(sub('/kv', { entities: [{ id: 'FRoom1' }] }, { attrsFormat: 'keyValues', exceptAttrs: ['pressure'] }));
    await subscribe(sub('/values', { entities: [{ id: 'FRoom1' }] }, { attrsFormat: 'values', attrs: ['pressure', 'temperature'] }));
    await subscribe(sub('/meta', { entities: [{ id: 'FRoom1' }] }, { attrs: ['temperature'], metadata: ['unitCode'] }));
    await subscribe({ subject: { entities: [{ id: 'FRoom1' }] },
      notification: { httpCustom: { url: rx.url('/custom'), headers: { 'X-Auth-Token': 'secret-1' }, qs: { source: 'machi' },
        method: 'PUT' }, attrsFormat: 'keyValues', attrs: ['temperature'] } });
    await upsert({ id: 'FRoom1', type: 'Room', temperature: { value: 21, metadata: { unitCode: { value: 'CEL' }, accuracy: { value: 1 } } },
      pressure: { value: 1000 } });
    await rx.until(() => ['/kv', '/values', '/meta', '/custom?source=machi'].every((p) => rx.at(p).length >= 1));
    assert.deepEqual(dataAt('/kv'), [{ id: 'FRoom1', type: 'Room', temperature: 21 }]);
    assert.equal(rx.at('/kv')[0].headers['ngsiv2-attrsformat'], 'keyValues');
    assert.deepEqual(dataAt('/values'), [[1000, 21]]);
    assert.equal(rx.at('/values')[0].headers['ngsiv2-attrsformat'], 'values');
    assert.deepEqual(dataAt('/meta')[0].temperature.metadata, { unitCode: { type: 'Text', value: 'CEL' } });
    const custom = rx.at('/custom?source=machi')[0];
    assert.equal(custom.headers['x-auth-token'], 'secret-1');
    assert.deepEqual(custom.body.data, [{ id: 'FRoom1', type: 'Room', temperature: 21 }]);
  });

  test('throttling: at most one notification per period', async () => {
    await subscribe(sub('/throttled', { entities: [{ id: 'TRoom1' }] }, { attrsFormat: 'keyValues' }, { throttling: 2 }));
    await upsert({ id: 'TRoom1', type: 'Room', temperature: { value: 1 } });
    await rx.until(() => rx.at('/throttled').length >= 1);
    for (let i = 2; i <= 4; ++i) await patchAttrs('TRoom1', { temperature: i });
    await sleep(800);
    assert.equal(rx.at('/throttled').length, 1);
    await sleep(1500);
    await patchAttrs('TRoom1', { temperature: 9 });
    await rx.until(() => rx.at('/throttled').length >= 2);
    assert.equal(dataAt('/throttled').at(-1).temperature, 9);
  });

  test('status inactive and a past expires stop notifications; active resumes them', async () => {
    const paused = await subscribe(sub('/paused', { entities: [{ id: 'SRoom1' }] }, {}, { status: 'inactive' }));
    const expired = await subscribe(sub('/expired', { entities: [{ id: 'SRoom1' }] }, {}, { expires: '2020-01-01T00:00:00Z' }));
    assert.equal((await m.get(`/v2/subscriptions/${expired}`)).json.status, 'expired');
    await upsert({ id: 'SRoom1', type: 'Room', temperature: { value: 1 } });
    await sleep(500);
    assert.equal(rx.at('/paused').length + rx.at('/expired').length, 0);
    assert.equal((await m.patch(`/v2/subscriptions/${paused}`, { status: 'active' })).status, 204);
    await patchAttrs('SRoom1', { temperature: 2 });
    await rx.until(() => rx.at('/paused').length >= 1);
    assert.equal(rx.at('/expired').length, 0);
  });

  test('Fiware-ServicePath scopes a subscription and travels with the notification', async () => {
    const chiyoda = { headers: { 'Fiware-ServicePath': '/Tokyo/Chiyoda' } };
    await subscribe(sub('/chiyoda', { entities: [{ idPattern: '^PSpot' }] }, { attrsFormat: 'keyValues' }), chiyoda);
    await subscribe(sub('/tokyo', { entities: [{ idPattern: '^PSpot' }] }, { attrsFormat: 'keyValues' }),
      { headers: { 'Fiware-ServicePath': '/Tokyo/#' } });
    await upsert({ id: 'PSpot1', type: 'Spot', n: { value: 1 } }, chiyoda);
    await upsert({ id: 'PSpot2', type: 'Spot', n: { value: 1 } }, { headers: { 'Fiware-ServicePath': '/Tokyo/Minato' } });
    await upsert({ id: 'PSpot3', type: 'Spot', n: { value: 1 } }, { headers: { 'Fiware-ServicePath': '/Osaka' } });
    await rx.until(() => rx.at('/chiyoda').length >= 1 && dataAt('/tokyo').length >= 2);
    await sleep(300);
    assert.deepEqual(dataAt('/chiyoda').map((e) => e.id), ['PSpot1']);
    assert.equal(rx.at('/chiyoda')[0].headers['fiware-servicepath'], '/Tokyo/Chiyoda');
    assert.deepEqual(dataAt('/tokyo').map((e) => e.id).sort(), ['PSpot1', 'PSpot2']);
    const paths = Object.fromEntries(rx.at('/tokyo').flatMap((r) => r.body.data.map((e) => [e.id, r.headers['fiware-servicepath']])));
    assert.deepEqual(paths, { PSpot1: '/Tokyo/Chiyoda', PSpot2: '/Tokyo/Minato' });
    // listing with the header shows that path's subscriptions
    const listed = await m.get('/v2/subscriptions?limit=1000', chiyoda);
    assert.ok(listed.json.length >= 1 && listed.json.every((s) => s.notification.http.url === rx.url('/chiyoda')), show(listed));
  });

  test('Fiware-Service: a tenant\'s subscription sees only its tenant, and says so', async () => {
    await m.adminToken('v2subs_a');
    const inA = { headers: { 'Fiware-Service': 'v2subs_a' }, auth: 'v2subs_a' };
    const id = await subscribe(sub('/tenant', { entities: [{ idPattern: '^TenRoom' }] }, { attrsFormat: 'keyValues' }), inA);
    assertV2Error(await m.get(`/v2/subscriptions/${id}`), 404, 'NotFound');
    await upsert({ id: 'TenRoom1', type: 'Room', t: { value: 1 } });  // the default tenant
    await upsert({ id: 'TenRoom2', type: 'Room', t: { value: 2 } }, inA);
    await rx.until(() => rx.at('/tenant').length >= 1);
    await sleep(300);
    assert.deepEqual(dataAt('/tenant').map((e) => e.id), ['TenRoom2']);
    assert.equal(rx.at('/tenant')[0].headers['fiware-service'], 'v2subs_a');
  });

  test('an NGSI-LD write notifies a v2 subscriber in v2 form', async () => {
    await subscribe(sub('/from-ld', { entities: [{ id: 'urn:ngsi-ld:Shelter:v2sub1', type: 'Shelter' }] }));
    const r = await m.post('/ngsi-ld/v1/entities', { id: 'urn:ngsi-ld:Shelter:v2sub1', type: 'Shelter',
      capacity: { type: 'Property', value: 120, unitCode: 'C62' } });
    assert.equal(r.status, 201, show(r));
    await rx.until(() => rx.at('/from-ld').length >= 1);
    assert.deepEqual(dataAt('/from-ld'), [{ id: 'urn:ngsi-ld:Shelter:v2sub1', type: 'Shelter',
      capacity: { type: 'Number', value: 120, metadata: { unitCode: { type: 'Text', value: 'C62' } } } }]);
  });

  test('a receiver outage: failures show in the status, and every notification arrives after it', async () => {
    const id = await subscribe(sub('/outage', { entities: [{ idPattern: '^ORoom' }] }, { attrsFormat: 'keyValues' }));
    rx.status = 503;
    const ids = ['ORoom1', 'ORoom2', 'ORoom3', 'ORoom4', 'ORoom5'];
    for (const [i, room] of ids.entries()) {
      await upsert({ id: room, type: 'Room', temperature: { value: i } });
      await sleep(50);
    }
    await patchAttrs('ORoom1', { temperature: 100 });
    await sleep(1000);
    const failing = (await m.get(`/v2/subscriptions/${id}`)).json.notification;
    assert.ok(failing.failsCounter >= 1, JSON.stringify(failing));
    assert.equal(failing.lastFailureReason, 'HTTP status 503');
    assert.match(failing.lastFailure, /^\d{4}-/);
    assert.equal(rx.at('/outage').length, 0);
    rx.status = 204;
    await rx.until(() => dataAt('/outage').some((e) => e.id === 'ORoom1' && e.temperature === 100), 10000, 'the backlog');
    assert.deepEqual([...new Set(dataAt('/outage').map((e) => e.id))].sort(), ids, 'every notification of the outage');
    await sleep(300);  // the notifier records the answer just after the receiver sent it
    const recovered = (await m.get(`/v2/subscriptions/${id}`)).json.notification;
    assert.equal(recovered.failsCounter, undefined, JSON.stringify(recovered));
    assert.equal(recovered.lastSuccessCode, 204);
  });
});

describe('restart safety', () => {
  test('a v2 notification pending at a SIGKILL is delivered after the restart, with its tenant and service path', async () => {
    const own = await new Machi({ args: ARGS }).start();
    const down = await new Receiver().start();
    const port = down.port;
    await down.stop();
    let again;
    try {
      await own.adminToken('v2restart');
      const opts = { headers: { 'Fiware-Service': 'v2restart', 'Fiware-ServicePath': '/Kyoto' }, auth: 'v2restart' };
      let r = await own.post('/v2/subscriptions', { subject: { entities: [{ id: 'KRoom1', type: 'Room' }] },
        notification: { http: { url: `http://127.0.0.1:${port}/restart` }, attrsFormat: 'keyValues' } }, opts);
      assert.equal(r.status, 201, show(r));
      r = await own.post('/v2/entities?options=keyValues', { id: 'KRoom1', type: 'Room', temperature: 77 }, opts);
      assert.equal(r.status, 201, show(r));
      await sleep(300);
      await own.kill();
      const back = await new Receiver().start(port);
      again = new Machi({ dataDir: own.dataDir, port: own.port, args: ARGS });
      await again.start();
      await back.until(() => back.at('/restart').length >= 1, 15000);
      const [note] = back.at('/restart');
      assert.deepEqual(note.body.data, [{ id: 'KRoom1', type: 'Room', temperature: 77 }]);
      assert.equal(note.headers['fiware-service'], 'v2restart');
      assert.equal(note.headers['fiware-servicepath'], '/Kyoto');
      await back.stop();
    } finally {
      if (again) await again.stop();
      own.cleanup();
    }
  });
});

describe('personal data', () => {
  const PURPOSE = 'dpv:ImproveTransportMobility';
  const consent = (subject) => ({
    dataSubject: subject,
    processing: { notice: 'https://city.example/notices/data-use', language: 'ja', purposes: [PURPOSE],
      personalData: ['dpv-pd:Location'], controllers: ['city'], recipients: ['Transit Lab'], retention: 'P1Y',
      withdrawalMethod: 'https://city.example/my/consents' },
    parties: [{ id: 'city', name: 'Machi City', role: 'controller', contact: 'privacy@city.example' }],
    events: [{ type: 'given' }],
  });

  test('a v2 subscription to a personal type needs a grant; each notification is decided and ledgered', async () => {
    assert.equal((await m.put('/machi/v1/personal-types/V2Trip', { dataCategories: ['dpv-pd:Location'] })).status, 200);
    const consumer = await accountWithToken(m, { username: uniq('v2consumer'), roles: ['consumer'] });
    const alice = await accountWithToken(m, { username: uniq('v2alice'), roles: ['resident'], subject: 'v2-alice' });
    assert.equal((await m.post('/machi/v1/consents', consent('v2-alice'), as(alice.token))).status, 201);
    await upsert({ id: 'V2Trip1', type: 'V2Trip', dataSubject: { value: 'v2-alice' }, distance: { value: 1 } });
    const body = sub('/personal', { entities: [{ type: 'V2Trip' }] }, { attrsFormat: 'keyValues' });
    const refused = await m.post('/v2/subscriptions', body, as(consumer.token));
    assert.equal(refused.status, 403, show(refused));
    assert.match(refused.text, /grant/);

    const grant = await m.post('/machi/v1/grants', { name: 'v2 trips', recipient: 'Transit Lab',
      consumer: consumer.account.id, purposes: [PURPOSE], legalBasis: 'consent', entityTypes: ['V2Trip'], pseudonymize: false });
    assert.equal(grant.status, 201, show(grant));
    const headers = { 'Machi-Grant': grant.json.id, 'Machi-Purpose': PURPOSE };
    const id = await subscribe(body, as(consumer.token, headers));
    // another consumer neither sees nor changes it; the administrator may pause it but not redirect it
    const other = await accountWithToken(m, { username: uniq('v2other'), roles: ['consumer'] });
    assertV2Error(await m.get(`/v2/subscriptions/${id}`, as(other.token)), 404, 'NotFound');
    const redirect = await m.patch(`/v2/subscriptions/${id}`, { notification: { http: { url: rx.url('/admin') } } });
    assert.equal(redirect.status, 403, show(redirect));
    assert.equal((await m.patch(`/v2/subscriptions/${id}`, { status: 'active' })).status, 204);

    const before = (await m.get('/machi/v1/ledger/head', { auth: false })).json.size;
    await patchAttrs('V2Trip1', { distance: 7 });
    await rx.until(() => rx.at('/personal').length >= 1);
    assert.equal(dataAt('/personal')[0].distance, 7);
    const head = (await m.get('/machi/v1/ledger/head', { auth: false })).json.size;
    const auditor = await accountWithToken(m, { username: uniq('v2auditor'), roles: ['auditor'] });
    const actions = [];
    for (let i = before; i < head; ++i) {
      const r = await m.get(`/machi/v1/ledger/entries/${i}`, as(auditor.token));
      actions.push(JSON.parse(r.json.entry).action);
    }
    assert.ok(actions.includes('NOTIFY /v2/subscriptions/{subscriptionId}'), JSON.stringify(actions));
  });
});

describe('errors, as Orion answers them', () => {
  test('400 BadRequest for invalid subscriptions, 501 for what machi does not do', async () => {
    const entities = [{ id: 'E1', type: 'Thing' }];
    const bad = [
      {},
      { subject: { entities: [] }, notification: { http: { url: rx.url() } } },
      { subject: { entities }, notification: {} },
      { subject: { entities }, notification: { http: { url: 'not a url' } } },
      { subject: { entities }, notification: { http: { url: rx.url() }, attrsFormat: 'xml' } },
      { subject: { entities, condition: { expression: { q: 'temperature>1,2' } } }, notification: { http: { url: rx.url() } } },
      { subject: { entities, condition: { expression: { georel: 'near;maxDistance:10' } } }, notification: { http: { url: rx.url() } } },
      { subject: { entities }, notification: { http: { url: rx.url() } }, expires: 'tomorrow' },
      { subject: { entities }, notification: { http: { url: rx.url() } }, status: 'sleeping' },
      { subject: { entities }, notification: { http: { url: rx.url() } }, unknownField: 1 },
    ];
    for (const body of bad) assertV2Error(await m.post('/v2/subscriptions', body), 400, 'BadRequest');
    assertV2Error(await m.post('/v2/subscriptions', '{"subject":'), 400, 'ParseError');
    assertV2Error(await m.post('/v2/subscriptions', { subject: { entities }, notification: { http: { url: rx.url() } },
      status: 'oneshot' }), 501, 'NotImplemented');
    assertV2Error(await m.post('/v2/subscriptions', { subject: { entities },
      notification: { http: { url: rx.url() }, maxFailsLimit: 3 } }), 501, 'NotImplemented');
    const id = await subscribe(sub('/errors', { entities }));
    assertV2Error(await m.patch(`/v2/subscriptions/${id}`, {}), 400, 'BadRequest');
    assertV2Error(await m.patch(`/v2/subscriptions/${id}`, { notification: { http: { url: 'x' } } }), 400, 'BadRequest');
    assert.equal((await m.get(`/v2/subscriptions/${id}`)).json.notification.http.url, rx.url('/errors'), 'a failed patch changes nothing');
    const r = await m.post('/v2/subscriptions', 'x', { contentType: 'text/plain' });
    assertV2Error(r, 415, 'UnsupportedMediaType');
    assertV2Error(await m.get('/v2/subscriptions?limit=0'), 400, 'BadRequest');
    assertV2Error(await m.get('/v2/subscriptions/0123456789abcdef01234567'), 404, 'NotFound', NOT_FOUND);
  });
});
