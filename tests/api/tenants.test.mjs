// Tenants (clause 4.14): the NGSILD-Tenant header selects a separate data set.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Machi, enc } from './lib/machi.mjs';
import { assertProblem, assertStatus, sorted, startServer, stopServer } from './lib/util.mjs';

let m;
before(async () => {
  m = await startServer();
});
after(async () => {
  await stopServer(m);
});

const T = (tenant, extra = {}) => ({ headers: { 'NGSILD-Tenant': tenant, ...extra } });
// A tenant nobody created, asked with the default administrator's token
// (the test library would otherwise create it to get its own token).
const U = (tenant) => ({ headers: { 'NGSILD-Tenant': tenant }, auth: '' });
const entity = (id, type, value) => ({
  id,
  type,
  level: { type: 'Property', value },
  location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [139.7, 35.68] } },
});

describe('isolation', () => {
  before(async () => {
    assertStatus(await m.post('/entities', entity('urn:ngsi-ld:Tank:a1', 'Tank', 1), T('cityA')), 201);
    assertStatus(await m.post('/entities', entity('urn:ngsi-ld:Tank:a2', 'Tank', 2), T('cityA')), 201);
    assertStatus(await m.post('/entities', entity('urn:ngsi-ld:Pump:b1', 'Pump', 3), T('cityB')), 201);
    // The same id in another tenant is another entity.
    assertStatus(await m.post('/entities', entity('urn:ngsi-ld:Tank:a1', 'Tank', 100), T('cityB')), 201);
    assertStatus(await m.post('/entities', entity('urn:ngsi-ld:Gate:d1', 'Gate', 4)), 201);
  });

  test('each tenant reads its own entities by id', async () => {
    const a = await m.get(`/entities/${enc('urn:ngsi-ld:Tank:a1')}`, T('cityA'));
    assertStatus(a, 200);
    assert.equal(a.json.level.value, 1);
    const b = await m.get(`/entities/${enc('urn:ngsi-ld:Tank:a1')}`, T('cityB'));
    assertStatus(b, 200);
    assert.equal(b.json.level.value, 100);
    assertProblem(await m.get(`/entities/${enc('urn:ngsi-ld:Tank:a2')}`, T('cityB')), 404, 'ResourceNotFound');
    assertProblem(await m.get(`/entities/${enc('urn:ngsi-ld:Tank:a2')}`), 404, 'ResourceNotFound');
    assertProblem(await m.get(`/entities/${enc('urn:ngsi-ld:Gate:d1')}`, T('cityA')), 404, 'ResourceNotFound');
  });

  test('queries see only their tenant', async () => {
    const ids = async (path, options) => {
      const r = await m.get(path, options);
      assertStatus(r, 200, path);
      return sorted(r.json.map((e) => e.id));
    };
    assert.deepEqual(await ids('/entities?type=Tank', T('cityA')), ['urn:ngsi-ld:Tank:a1', 'urn:ngsi-ld:Tank:a2']);
    assert.deepEqual(await ids('/entities?type=Tank', T('cityB')), ['urn:ngsi-ld:Tank:a1']);
    assert.deepEqual(await ids('/entities?type=Tank'), []);
    assert.deepEqual(await ids('/entities?type=Pump', T('cityA')), []);
    assert.deepEqual(await ids('/entities?q=level>=1', T('cityA')), ['urn:ngsi-ld:Tank:a1', 'urn:ngsi-ld:Tank:a2']);
    assert.deepEqual(await ids('/entities?q=level>=1'), ['urn:ngsi-ld:Gate:d1']);
    const geo = `georel=near;maxDistance==1000&geometry=Point&coordinates=${enc('[139.7,35.68]')}`;
    assert.deepEqual(await ids(`/entities?type=Tank,Pump,Gate&${geo}`, T('cityB')), ['urn:ngsi-ld:Pump:b1', 'urn:ngsi-ld:Tank:a1']);
    const post = await m.post('/entityOperations/query', { type: 'Query', entities: [{ type: 'Tank' }] }, T('cityA'));
    assertStatus(post, 200);
    assert.equal(post.json.length, 2);
  });

  test('/types and /attributes see only their tenant', async () => {
    assert.deepEqual(sorted((await m.get('/types', T('cityA'))).json.typeList), ['Tank']);
    assert.deepEqual(sorted((await m.get('/types', T('cityB'))).json.typeList), ['Pump', 'Tank']);
    assert.deepEqual(sorted((await m.get('/types')).json.typeList), ['Gate']);
    assert.equal((await m.get('/types/Tank', T('cityA'))).json.entityCount, 2);
    assertProblem(await m.get('/types/Tank'), 404, 'ResourceNotFound');
  });

  test('writes in one tenant do not touch another', async () => {
    assertStatus(await m.patch(`/entities/${enc('urn:ngsi-ld:Tank:a1')}/attrs/level`, { value: 50 }, T('cityB')), 204);
    assert.equal((await m.get(`/entities/${enc('urn:ngsi-ld:Tank:a1')}`, T('cityA'))).json.level.value, 1);
    assertProblem(await m.delete(`/entities/${enc('urn:ngsi-ld:Tank:a2')}`, T('cityB')), 404, 'ResourceNotFound');
    assertStatus(await m.get(`/entities/${enc('urn:ngsi-ld:Tank:a2')}`, T('cityA')), 200);
    const batch = await m.post('/entityOperations/delete', ['urn:ngsi-ld:Tank:a2'], T('cityB'));
    assertStatus(batch, 207);
    assertStatus(await m.get(`/entities/${enc('urn:ngsi-ld:Tank:a2')}`, T('cityA')), 200);
  });

  test('a read on a tenant never written answers 404 NonexistentTenant', async () => {
    assertProblem(await m.get('/entities?type=Tank', U('nowhere')), 404, 'NonexistentTenant');
    assertProblem(await m.get(`/entities/${enc('urn:ngsi-ld:Tank:a1')}`, U('nowhere')), 404, 'NonexistentTenant');
    assertProblem(await m.get('/types', U('nowhere')), 404, 'NonexistentTenant');
    assertProblem(await m.get('/attributes', U('nowhere')), 404, 'NonexistentTenant');
    // and a failed update does not create the tenant
    assertProblem(await m.patch(`/entities/${enc('urn:ngsi-ld:Tank:a1')}/attrs/level`, { value: 1 }, U('nowhere2')), 404);
    assertProblem(await m.get('/types', U('nowhere2')), 404, 'NonexistentTenant');
  });

  test('tenant names that could escape the data directory are refused', async () => {
    for (const name of ['../evil', '..', 'a/b', '.']) {
      const r = await m.post('/entities', entity('urn:ngsi-ld:Tank:evil', 'Tank', 1), T(name));
      assert.ok(r.status === 400 || r.status === 201, `tenant ${name}: ${r.status}`);
      if (r.status === 201) {
        // accepted: then it must be a tenant of its own, isolated from the default one
        assertProblem(await m.get(`/entities/${enc('urn:ngsi-ld:Tank:evil')}`), 404, 'ResourceNotFound');
      } else {
        assertProblem(r, 400, ['BadRequestData', 'InvalidRequest']);
      }
    }
  });
});

describe('persistence per tenant', () => {
  test('data survives a restart, per tenant', async () => {
    const first = await startServer();
    let second;
    try {
      assertStatus(await first.post('/entities', entity('urn:ngsi-ld:Tank:p1', 'Tank', 7), T('cityA')), 201);
      assertStatus(await first.post('/entities', entity('urn:ngsi-ld:Tank:p1', 'Tank', 8), T('tokyo:central')), 201);
      assertStatus(await first.post('/entities', entity('urn:ngsi-ld:Tank:p1', 'Tank', 9)), 201);
      const { code } = await first.stop();
      assert.equal(code, 0, 'SIGTERM exit status');
      second = await new Machi({ dataDir: first.dataDir }).start();
      assert.equal((await second.get(`/entities/${enc('urn:ngsi-ld:Tank:p1')}`, T('cityA'))).json?.level.value, 7);
      assert.equal((await second.get(`/entities/${enc('urn:ngsi-ld:Tank:p1')}`, T('tokyo:central'))).json?.level.value, 8);
      assert.equal((await second.get(`/entities/${enc('urn:ngsi-ld:Tank:p1')}`)).json?.level.value, 9);
      assertProblem(await second.get('/types', U('cityB')), 404, 'NonexistentTenant');
    } finally {
      if (second) {
        const { code } = await second.stop();
        assert.equal(code, 0);
      }
      await first.stop();
      first.cleanup();
    }
  });
});
