// IoT ingestion (docs/iot.md) against a real mosquitto and a real machi:
// the IoT Agent provisioning API, measures published as devices do (MQTT
// 3.1.1, QoS 1) turned into entities seen through NGSI-LD and NGSIv2 with
// observedAt, their history, a subscription fired by a measure, bad
// payloads and unknown devices changing nothing, tenant isolation, a
// broker restart after which machi reconnects and keeps ingesting, and
// measures sent while machi was down arriving when it is back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Machi, enc } from './lib/machi.mjs';
import { Mosquitto, MqttPublisher } from './lib/mqtt.mjs';
import { Receiver, sleep } from './lib/receiver.mjs';
import { show } from './lib/util.mjs';

const CITY = 'iotcity';
const OTHER = 'iotother';
const WS01 = 'urn:ngsi-ld:WeatherObserved:ws01';

let mq;
let m;
let pub;
let rx;

// A provisioning call as an IoT Agent client makes it.
function iot(method, path, body, { service = CITY, servicePath = '/noda', headers = {}, auth } = {}) {
  const h = { ...headers };
  if (service) h['Fiware-Service'] = service;
  if (servicePath) h['Fiware-ServicePath'] = servicePath;
  return m.request(method, path, { body, headers: h, auth: auth ?? service });
}

const ld = (path, tenant = CITY) => m.get(path, { headers: { 'NGSILD-Tenant': tenant } });

async function until(what, probe, predicate, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await probe();
    if (predicate(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${show(last)}`);
    await sleep(50);
  }
}

const about = (service = CITY) => iot('GET', '/iot/about', undefined, { service, servicePath: '' });

async function entityWhere(id, predicate, tenant = CITY) {
  return until(`${id} in ${tenant}`, () => ld(`/ngsi-ld/v1/entities/${enc(id)}`, tenant),
    (r) => r.status === 200 && predicate(r.json));
}

before(async () => {
  mq = await new Mosquitto().start();
  m = await new Machi({ args: ['--iot-mqtt', `mqtt://127.0.0.1:${mq.port}`] }).start();
  await m.adminToken(CITY);
  await m.adminToken(OTHER);
  rx = await new Receiver().start();
  await until('the MQTT connection', () => about(), (r) => r.status === 200 && r.json.southbound.connected);
  pub = await new MqttPublisher().connect(mq.port);
});

after(async () => {
  pub?.close();
  await m?.stop();
  m?.cleanup();
  await rx?.stop();
  await mq?.stop();
  mq?.cleanup();
});

describe('IoT ingestion', () => {
  test('the provisioning API answers as the IoT Agent does', async () => {
    const group = {
      apikey: 'k-noda', resource: '/iot/json', entity_type: 'WeatherObserved',
      attributes: [{ object_id: 't', name: 'temperature', type: 'Number' }],
      static_attributes: [{ name: 'district', type: 'Text', value: 'Noda' }],
    };
    let r = await iot('POST', '/iot/services', { services: [group] });
    assert.equal(r.status, 201, show(r));
    r = await iot('POST', '/iot/services', { services: [group] });
    assert.equal(r.status, 409, show(r));
    assert.equal(r.json.name, 'DUPLICATE_GROUP');
    assert.equal(typeof r.json.message, 'string');
    r = await iot('POST', '/iot/services', { services: [{ resource: '/iot/json' }] });
    assert.equal(r.status, 400, show(r));
    assert.equal(r.json.name, 'WRONG_SYNTAX');
    r = await iot('POST', '/iot/services', 'not json', { headers: { 'Content-Type': 'text/plain' } });
    assert.equal(r.status, 415, show(r));
    r = await iot('GET', '/iot/services', undefined, { servicePath: '' });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.count, 1);
    assert.equal(r.json.services[0].apikey, 'k-noda');
    assert.equal(r.json.services[0].service, CITY);
    assert.equal(r.json.services[0].subservice, '/noda');
    r = await iot('PUT', `/iot/services?resource=${enc('/iot/json')}&apikey=k-noda`, { explicitAttrs: false });
    assert.equal(r.status, 204, show(r));
    r = await iot('DELETE', `/iot/services?resource=${enc('/iot/json')}&apikey=nope`);
    assert.equal(r.status, 404, show(r));
    assert.equal(r.json.name, 'DEVICE_GROUP_NOT_FOUND');

    r = await iot('POST', '/iot/devices', { devices: [
      { device_id: 'ws01', protocol: 'IoTA-JSON', transport: 'MQTT', attributes: [{ object_id: 'h', name: 'relativeHumidity', type: 'Number' }] },
      { device_id: 'ws02', entity_name: 'Room2', entity_type: 'Room' },
    ] });
    assert.equal(r.status, 201, show(r));
    r = await iot('POST', '/iot/devices', { devices: [{ device_id: 'ws01' }] });
    assert.equal(r.status, 409, show(r));
    assert.equal(r.json.name, 'DUPLICATE_DEVICE_ID');
    r = await iot('GET', '/iot/devices/ws01');
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.entity_name, WS01);
    assert.equal(r.json.entity_type, 'WeatherObserved');
    assert.equal(r.json.service_path, '/noda');
    r = await iot('GET', '/iot/devices?limit=1&offset=1', undefined, { servicePath: '/*' });
    assert.equal(r.json.count, 2, show(r));
    assert.deepEqual(r.json.devices.map((d) => d.device_id), ['ws02']);
    r = await iot('PUT', '/iot/devices/ws02', { static_attributes: [{ name: 'floor', type: 'Number', value: 3 }] });
    assert.equal(r.status, 204, show(r));
    assert.equal((await iot('GET', '/iot/devices/ws02')).json.static_attributes[0].value, 3);
    r = await iot('GET', '/iot/devices/ws01', undefined, { servicePath: '/elsewhere' });
    assert.equal(r.status, 404, show(r));
    assert.equal(r.json.name, 'DEVICE_NOT_FOUND');
    r = await iot('GET', '/iot/devices?limit=x');
    assert.equal(r.status, 400, show(r));
    r = await iot('POST', '/iot/devices', { devices: [{ device_id: 'tmp' }] });
    assert.equal(r.status, 201, show(r));
    assert.equal((await iot('DELETE', '/iot/devices/tmp')).status, 204);
    assert.equal((await iot('GET', '/iot/devices/tmp')).status, 404);
  });

  test('a measure becomes an entity with observedAt, seen through NGSI-LD and NGSIv2', async () => {
    await pub.publish('/k-noda/ws01/attrs', { t: 21.5, h: 40, TimeInstant: '2026-12-01T10:00:00Z' });
    const e = (await entityWhere(WS01, (x) => x.temperature?.value === 21.5)).json;
    assert.equal(e.type, 'WeatherObserved');
    assert.equal(e.scope, '/noda');
    assert.equal(e.temperature.observedAt, '2026-12-01T10:00:00.000Z');
    assert.equal(e.relativeHumidity.value, 40);
    assert.equal(e.relativeHumidity.observedAt, '2026-12-01T10:00:00.000Z');
    assert.equal(e.district.value, 'Noda');
    const v2 = await m.get(`/v2/entities/${enc(WS01)}`, { auth: CITY, headers: { 'Fiware-Service': CITY, 'Fiware-ServicePath': '/noda' } });
    assert.equal(v2.status, 200, show(v2));
    assert.equal(v2.json.type, 'WeatherObserved');
    assert.deepEqual(v2.json.temperature, {
      type: 'Number', value: 21.5, metadata: { observedAt: { type: 'DateTime', value: '2026-12-01T10:00:00.000Z' } },
    });
    assert.equal(v2.json.TimeInstant.type, 'DateTime');
    assert.equal(v2.json.district.type, 'Text');
    // the /json/ topics and single measures; a device with its own entity name
    await pub.publish('/json/k-noda/ws02/attrs/t', '19');
    const room = (await entityWhere('Room2', (x) => x.temperature?.value === 19)).json;
    assert.equal(room.type, 'Room');
    assert.equal(room.floor.value, 3);
    assert.ok(Date.parse(room.temperature.observedAt) > Date.now() - 60000, 'no TimeInstant: the receive time');
  });

  test('the history of the measures is in the temporal API', async () => {
    await pub.publish('/k-noda/ws01/attrs', [
      { t: 22, TimeInstant: '2026-12-01T10:01:00Z' }, { t: 23, TimeInstant: '2026-12-01T10:02:00Z' },
    ]);
    await pub.publish('/json/k-noda/ws01/attrs', { t: 24, TimeInstant: '2026-12-01T10:03:00Z' });
    const r = await until('four temperature instances', () => ld(`/ngsi-ld/v1/temporal/entities/${enc(WS01)}?attrs=temperature`),
      (x) => x.status === 200 && Array.isArray(x.json.temperature) && x.json.temperature.length >= 4);
    const points = r.json.temperature.map((p) => [p.observedAt, p.value]).sort();
    assert.deepEqual(points, [
      ['2026-12-01T10:00:00.000Z', 21.5], ['2026-12-01T10:01:00.000Z', 22],
      ['2026-12-01T10:02:00.000Z', 23], ['2026-12-01T10:03:00.000Z', 24],
    ]);
  });

  test('a subscription is notified of an IoT update', async () => {
    const sub = await m.post('/ngsi-ld/v1/subscriptions', {
      type: 'Subscription', entities: [{ type: 'WeatherObserved' }], watchedAttributes: ['temperature'],
      notification: { format: 'keyValues', attributes: ['temperature'], endpoint: { uri: rx.url('/iot') } },
    }, { headers: { 'NGSILD-Tenant': CITY } });
    assert.equal(sub.status, 201, show(sub));
    await sleep(200);
    await pub.publish('/k-noda/ws01/attrs', { t: 30 });
    await rx.until((all) => all.some((n) => n.path === '/iot' && n.body.data.some((e) => e.id === WS01 && e.temperature === 30)));
  });

  test('bad payloads, unknown devices and unknown apikeys change nothing and are counted', async () => {
    const before = (await about()).json.service;
    for (const [topic, payload] of [
      ['/k-noda/ws01/attrs', 'not json'],
      ['/k-noda/ws01/attrs', '[]'],
      ['/k-noda/ws01/attrs/t', Buffer.from([0xff, 0xfe, 0x00])],
      ['/k-noda/ws01/attrs', { id: 'urn:ngsi-ld:Thing:hijack' }],
      ['/k-noda/ws01/attrs', { 'bad name': 1 }],
      ['/k-noda/ghost/attrs', { t: 99 }],
      ['/unknown-key/ws01/attrs', { t: 99 }],
    ]) {
      await pub.publish(topic, payload);
    }
    await pub.publish('/k-noda/ws01/attrs', { t: 31 }); // after all of them
    await entityWhere(WS01, (x) => x.temperature?.value === 31);
    const after = (await until('the counters', () => about(), (r) => r.json.service.measuresApplied > before.measuresApplied)).json;
    const delta = (reason) => (after.service.rejected[reason] ?? 0) - (before.rejected[reason] ?? 0);
    assert.equal(delta('bad_payload'), 3, JSON.stringify(after.service));
    assert.equal(delta('invalid_measure'), 2, JSON.stringify(after.service));
    assert.equal(delta('unknown_device'), 1, JSON.stringify(after.service));
    assert.equal((await ld(`/ngsi-ld/v1/entities/${enc('urn:ngsi-ld:WeatherObserved:ghost')}`)).status, 404);
    assert.equal((await ld(`/ngsi-ld/v1/entities/${enc('urn:ngsi-ld:Thing:hijack')}`)).status, 404);
    const history = await ld(`/ngsi-ld/v1/temporal/entities/${enc(WS01)}?attrs=temperature`);
    assert.ok(!history.json.temperature.some((p) => p.value === 99), show(history));
    // unknown apikeys belong to no tenant: the operator (default tenant) sees them
    const all = (await about('')).json.all;
    assert.ok(all.rejected.unknown_apikey >= 1, JSON.stringify(all));
    assert.equal((await m.get('/health')).status, 200);
  });

  test('tenants are isolated', async () => {
    let r = await iot('GET', '/iot/devices', undefined, { service: OTHER, servicePath: '' });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.count, 0);
    assert.equal((await iot('GET', '/iot/devices/ws01', undefined, { service: OTHER })).status, 404);
    // a token of one tenant is refused in another
    r = await iot('GET', '/iot/devices', undefined, { service: OTHER, auth: CITY });
    assert.equal(r.status, 403, show(r));
    // an apikey belongs to one tenant
    r = await iot('POST', '/iot/services', { services: [{ apikey: 'k-noda', resource: '/iot/json' }] }, { service: OTHER });
    assert.equal(r.status, 409, show(r));
    r = await iot('POST', '/iot/devices', { devices: [{ device_id: 'ws01', apikey: 'k-noda' }] }, { service: OTHER });
    assert.equal(r.status, 409, show(r));
    // the same device id under another tenant's apikey writes that tenant's entity
    r = await iot('POST', '/iot/services', { services: [{ apikey: 'k-other', resource: '/iot/json', entity_type: 'WeatherObserved',
      attributes: [{ object_id: 't', name: 'temperature', type: 'Number' }] }] }, { service: OTHER });
    assert.equal(r.status, 201, show(r));
    r = await iot('POST', '/iot/devices', { devices: [{ device_id: 'ws01' }] }, { service: OTHER });
    assert.equal(r.status, 201, show(r));
    await pub.publish('/k-other/ws01/attrs', { t: 5 });
    await entityWhere(WS01, (x) => x.temperature?.value === 5, OTHER);
    assert.equal((await ld(`/ngsi-ld/v1/entities/${enc(WS01)}`)).json.temperature.value, 31);
    const otherAbout = (await about(OTHER)).json;
    assert.equal(otherAbout.service.messagesReceived, 1, JSON.stringify(otherAbout));
    assert.equal(otherAbout.all, undefined, 'another tenant sees no totals');
  });

  test('machi reconnects after a broker restart and keeps ingesting', async () => {
    const connections = (await about()).json.southbound.connections;
    pub.close();
    await mq.stop();
    await until('the disconnection', () => about(), (r) => !r.json.southbound.connected);
    await mq.start(mq.port);
    await until('the reconnection', () => about(), (r) => r.json.southbound.connected && r.json.southbound.connections > connections, 15000);
    pub = await new MqttPublisher().connect(mq.port);
    await pub.publish('/k-noda/ws01/attrs', { t: 40 });
    await entityWhere(WS01, (x) => x.temperature?.value === 40);
  });

  test('measures published while machi is down arrive when it is back (persistent session), provisioning kept', async () => {
    await m.stop();
    await pub.publish('/k-noda/ws01/attrs', { t: 50, TimeInstant: '2026-12-02T00:00:00Z' });
    await m.start(); // same port, so the same MQTT client id and session
    const e = (await entityWhere(WS01, (x) => x.temperature?.value === 50, CITY)).json;
    assert.equal(e.temperature.observedAt, '2026-12-02T00:00:00.000Z');
    const device = await iot('GET', '/iot/devices/ws01');
    assert.equal(device.status, 200, show(device));
  });
});
