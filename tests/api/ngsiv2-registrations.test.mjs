// NGSIv2 registrations (context providers): CRUD, and the forwarding of
// queries and updates to a provider, here a second real `machi serve`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { show, startServer, stopServer } from './lib/util.mjs';

let broker;
let provider;
let providerToken;

before(async () => {
  [broker, provider] = await Promise.all([startServer(), startServer()]);
  providerToken = await provider.adminToken('');
  // The provider holds a sensor's readings and a room's CO2 level.
  let r = await provider.post('/v2/entities', { id: 'Sensor1', type: 'Sensor', pm25: { value: 12, type: 'Number' }, model: { value: 'X1' } });
  assert.equal(r.status, 201, show(r));
  r = await provider.post('/v2/entities?options=keyValues', { id: 'Room1', type: 'Room', co2: 410 });
  assert.equal(r.status, 201, show(r));
  // The broker holds the room itself.
  r = await broker.post('/v2/entities?options=keyValues', { id: 'Room1', type: 'Room', temperature: 21 });
  assert.equal(r.status, 201, show(r));
});

after(async () => {
  await stopServer(broker);
  await stopServer(provider);
});

function registration(entities, attrs, extra = {}) {
  return {
    description: 'test provider',
    dataProvided: { entities, attrs },
    provider: {
      http: { url: `${provider.base}/v2`, headers: { Authorization: `Bearer ${providerToken}` } },
      supportedForwardingMode: 'all',
    },
    ...extra,
  };
}

describe('registrations', () => {
  let sensorReg;

  test('create, list, read (credentials stay hidden), validation', async () => {
    let r = await broker.post('/v2/registrations', registration([{ id: 'Sensor1', type: 'Sensor' }], ['pm25']));
    assert.equal(r.status, 201, show(r));
    const location = r.headers.get('location');
    assert.match(location, /^\/v2\/registrations\/[0-9a-f]{24}$/);
    sensorReg = location.split('/').pop();
    r = await broker.get(location);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.id, sensorReg);
    assert.deepEqual(r.json.dataProvided, { entities: [{ id: 'Sensor1', type: 'Sensor' }], attrs: ['pm25'] });
    assert.equal(r.json.provider.http.url, `${provider.base}/v2`);
    assert.equal(r.json.provider.http.headers, undefined);
    assert.equal(r.json.status, 'active');
    r = await broker.get('/v2/registrations?options=count');
    assert.equal(r.json.length, 1);
    assert.equal(r.headers.get('fiware-total-count'), '1');
    for (const bad of [{}, { dataProvided: { entities: [] }, provider: { http: { url: 'http://x/v2' } } },
      { dataProvided: { entities: [{ type: 'T' }] }, provider: { http: { url: 'http://x/v2' } } },
      { dataProvided: { entities: [{ id: 'a' }] }, provider: { http: { url: 'ftp://x' } } },
      { dataProvided: { entities: [{ id: 'a' }] }, provider: { http: { url: 'http://x' } }, status: 'maybe' }]) {
      r = await broker.post('/v2/registrations', bad);
      assert.equal(r.status, 400, show(r));
      assert.equal(r.json.error, 'BadRequest');
    }
    r = await broker.get('/v2/registrations/000000000000000000000000');
    assert.equal(r.status, 404, show(r));
    assert.equal(r.json.error, 'NotFound');
  });

  test('a retrieval of a provided entity is forwarded to the provider', async () => {
    let r = await broker.get('/v2/entities/Sensor1');
    assert.equal(r.status, 200, show(r));
    // only the registered attribute comes from the provider
    assert.deepEqual(r.json, { id: 'Sensor1', type: 'Sensor', pm25: { type: 'Number', value: 12, metadata: {} } });
    r = await broker.get('/v2/entities?type=Sensor&options=keyValues');
    assert.deepEqual(r.json, [{ id: 'Sensor1', type: 'Sensor', pm25: 12 }]);
    r = await broker.post('/v2/op/query', { entities: [{ id: 'Sensor1', type: 'Sensor' }] });
    assert.equal(r.json.length, 1, show(r));
    // skipForwarding keeps the query local
    assert.equal((await broker.get('/v2/entities/Sensor1?options=skipForwarding')).status, 404);
  });

  test('provided attributes join a local entity', async () => {
    let r = await broker.post('/v2/registrations', registration([{ id: 'Room1', type: 'Room' }], ['co2']));
    assert.equal(r.status, 201, show(r));
    r = await broker.get('/v2/entities/Room1?options=keyValues');
    assert.deepEqual(r.json, { id: 'Room1', type: 'Room', temperature: 21, co2: 410 });
  });

  test('an update of a provided attribute is forwarded to the provider', async () => {
    let r = await broker.patch('/v2/entities/Sensor1/attrs?type=Sensor', { pm25: { value: 99 } });
    assert.equal(r.status, 204, show(r));
    assert.equal((await provider.get('/v2/entities/Sensor1/attrs/pm25/value')).text, '99');
    r = await broker.patch('/v2/entities/Room1/attrs', { co2: { value: 500 } });
    assert.equal(r.status, 204, show(r));
    assert.equal((await provider.get('/v2/entities/Room1/attrs/co2/value')).text, '500');
    // a local attribute stays local
    r = await broker.patch('/v2/entities/Room1/attrs', { temperature: { value: 22 } });
    assert.equal(r.status, 204, show(r));
    assert.equal((await provider.get('/v2/entities/Room1?options=keyValues')).json.temperature, undefined);
    // an attribute no one provides is still 422
    r = await broker.patch('/v2/entities/Room1/attrs', { humidity: { value: 1 } });
    assert.equal(r.status, 422, show(r));
    r = await broker.post('/v2/op/update', { actionType: 'update', entities: [{ id: 'Sensor1', type: 'Sensor', pm25: { value: 7 } }] });
    assert.equal(r.status, 204, show(r));
    assert.equal((await provider.get('/v2/entities/Sensor1/attrs/pm25/value')).text, '7');
    // keyValues too, and a local entity's provided attribute in a batch
    r = await broker.patch('/v2/entities/Sensor1/attrs?type=Sensor&options=keyValues', { pm25: 8 });
    assert.equal(r.status, 204, show(r));
    assert.equal((await provider.get('/v2/entities/Sensor1/attrs/pm25/value')).text, '8');
    r = await broker.post('/v2/op/update?options=keyValues', { actionType: 'update', entities: [{ id: 'Room1', type: 'Room', temperature: 23, co2: 600 }] });
    assert.equal(r.status, 204, show(r));
    assert.equal((await provider.get('/v2/entities/Room1/attrs/co2/value')).text, '600');
    assert.equal((await broker.get('/v2/entities/Room1/attrs/temperature/value?options=skipForwarding')).text, '23');
  });

  test('an inactive or deleted registration forwards nothing', async () => {
    let r = await broker.patch(`/v2/registrations/${sensorReg}`, { status: 'inactive' });
    assert.equal(r.status, 204, show(r));
    assert.equal((await broker.get(`/v2/registrations/${sensorReg}`)).json.status, 'inactive');
    assert.equal((await broker.get('/v2/entities/Sensor1')).status, 404);
    assert.equal((await broker.delete(`/v2/registrations/${sensorReg}`)).status, 204);
    assert.equal((await broker.delete(`/v2/registrations/${sensorReg}`)).status, 404);
    assert.equal((await broker.get('/v2/registrations')).json.length, 1);
  });

  test('a registration that points back to the broker itself ends after a few hops', async () => {
    const token = await broker.adminToken('');
    let r = await broker.post('/v2/registrations', {
      dataProvided: { entities: [{ idPattern: '.*', type: 'Loop' }] },
      provider: { http: { url: `${broker.base}/v2`, headers: { Authorization: `Bearer ${token}` } } },
    });
    assert.equal(r.status, 201, show(r));
    const loop = r.headers.get('location');
    const started = Date.now();
    r = await broker.get('/v2/entities?type=Loop');
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.json, []);
    assert.ok(Date.now() - started < 5000, 'the loop ended quickly');
    assert.equal((await broker.get('/v2/entities/Nothing1?type=Loop')).status, 404);
    assert.equal((await broker.delete(loop)).status, 204);
  });

  test('an unreachable provider is skipped', async () => {
    let r = await broker.post('/v2/registrations', {
      dataProvided: { entities: [{ idPattern: '.*', type: 'Ghost' }] },
      provider: { http: { url: 'http://127.0.0.1:9/v2' } },
    });
    assert.equal(r.status, 201, show(r));
    r = await broker.get('/v2/entities?type=Ghost');
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.json, []);
  });
});
