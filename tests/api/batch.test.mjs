// Batch operations (clause 5.6.7-5.6.10, 5.6.20): /entityOperations/{create,upsert,update,merge,delete}.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { enc } from './lib/machi.mjs';
import { ERRORS, assertProblem, assertStatus, show, sorted, startServer, stopServer, uniq } from './lib/util.mjs';

let m;
before(async () => {
  m = await startServer();
});
after(async () => {
  await stopServer(m);
});

const ent = (id, extra = {}) => ({ id, type: 'Device', a: { type: 'Property', value: 1 }, b: { type: 'Property', value: 'b' }, ...extra });
const newId = () => `urn:ngsi-ld:Device:${uniq()}`;

async function get(id) {
  return m.get(`/entities/${enc(id)}`);
}
async function getOk(id) {
  const r = await get(id);
  assertStatus(r, 200, `GET ${id}`);
  return r.json;
}
async function assertMissing(id) {
  assertProblem(await get(id), 404, 'ResourceNotFound');
}

// Checks the 207 shape: {success: [ids], errors: [{entityId, error: problem}]}.
function assertMultiStatus(r, successIds, errorIds) {
  assertStatus(r, 207, 'batch');
  assert.ok(Array.isArray(r.json.success), `success missing: ${show(r)}`);
  assert.ok(Array.isArray(r.json.errors), `errors missing: ${show(r)}`);
  assert.deepEqual(sorted(r.json.success), sorted(successIds), 'success ids');
  assert.deepEqual(sorted(r.json.errors.map((e) => e.entityId)), sorted(errorIds), 'error ids');
  for (const e of r.json.errors) {
    const p = e.error;
    assert.ok(p && typeof p === 'object', `no problem details for ${e.entityId}`);
    assert.equal(typeof p.type, 'string');
    assert.ok(p.type.startsWith(ERRORS), `error type ${p.type}`);
    assert.equal(typeof p.title, 'string');
    assert.equal(typeof p.status, 'number');
  }
  return Object.fromEntries(r.json.errors.map((e) => [e.entityId, e.error]));
}

describe('create', () => {
  test('all new: 201 with the ids', async () => {
    const ids = [newId(), newId(), newId()];
    const r = await m.post('/entityOperations/create', ids.map((id) => ent(id)));
    assertStatus(r, 201);
    assert.deepEqual(sorted(r.json), sorted(ids));
    for (const id of ids) assert.equal((await getOk(id)).a.value, 1);
  });

  test('some fail: 207, the failed entities are not created, the others are', async () => {
    const existing = newId();
    assertStatus(await m.post('/entities', ent(existing, { a: { type: 'Property', value: 'original' } })), 201);
    const good1 = newId();
    const good2 = newId();
    const invalid = newId();
    const badGeo = newId();
    const r = await m.post('/entityOperations/create', [
      ent(good1),
      ent(existing, { a: { type: 'Property', value: 'changed' } }),
      { id: invalid, a: { type: 'Property', value: 1 } }, // no type
      ent(badGeo, { location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [999, 0] } } }),
      ent(good2),
    ]);
    const errors = assertMultiStatus(r, [good1, good2], [existing, invalid, badGeo]);
    assert.equal(errors[existing].type, `${ERRORS}AlreadyExists`);
    assert.equal(errors[existing].status, 409);
    assert.equal(errors[invalid].type, `${ERRORS}BadRequestData`);
    assert.equal(errors[invalid].status, 400);
    assert.equal(errors[badGeo].status, 400);
    await getOk(good1);
    await getOk(good2);
    await assertMissing(invalid);
    await assertMissing(badGeo);
    assert.equal((await getOk(existing)).a.value, 'original', 'the existing entity is untouched');
  });

  test('the same id twice in one batch: one created, one AlreadyExists', async () => {
    const id = newId();
    const r = await m.post('/entityOperations/create', [ent(id, { a: { type: 'Property', value: 'first' } }), ent(id, { a: { type: 'Property', value: 'second' } })]);
    const errors = assertMultiStatus(r, [id], [id]);
    assert.equal(errors[id].status, 409);
    assert.equal((await getOk(id)).a.value, 'first');
  });

  test('a body that is not an array, or is empty, answers 400', async () => {
    assertProblem(await m.post('/entityOperations/create', ent(newId())), 400, ['BadRequestData', 'InvalidRequest']);
    assertProblem(await m.post('/entityOperations/create', []), 400, ['BadRequestData', 'InvalidRequest']);
  });
});

describe('upsert', () => {
  test('default (replace): existing entities are replaced, new ones created; 201 lists the created', async () => {
    const old = newId();
    assertStatus(await m.post('/entities', ent(old)), 201);
    const fresh = newId();
    const r = await m.post('/entityOperations/upsert', [
      { id: old, type: 'Device', a: { type: 'Property', value: 2 } },
      ent(fresh),
    ]);
    assertStatus(r, 201);
    assert.deepEqual(r.json, [fresh]);
    const e = await getOk(old);
    assert.equal(e.a.value, 2);
    assert.equal(e.b, undefined, 'replace drops attributes not in the upsert');
    await getOk(fresh);
  });

  test('all existing: 204', async () => {
    const id = newId();
    assertStatus(await m.post('/entities', ent(id)), 201);
    assertStatus(await m.post('/entityOperations/upsert', [{ id, type: 'Device', c: { type: 'Property', value: 3 } }]), 204);
    assert.deepEqual(Object.keys(await getOk(id)).sort(), ['c', 'id', 'type']);
  });

  test('options=update: existing attributes are kept and updated', async () => {
    const id = newId();
    assertStatus(await m.post('/entities', ent(id)), 201);
    const fresh = newId();
    const r = await m.post('/entityOperations/upsert?options=update', [
      { id, type: 'Device', a: { type: 'Property', value: 5 }, c: { type: 'Property', value: 'c' } },
      ent(fresh),
    ]);
    assertStatus(r, 201);
    assert.deepEqual(r.json, [fresh]);
    const e = await getOk(id);
    assert.equal(e.a.value, 5);
    assert.equal(e.b.value, 'b', 'update keeps other attributes');
    assert.equal(e.c.value, 'c');
    assertStatus(await m.post('/entityOperations/upsert?options=update', [{ id, type: 'Device', a: { type: 'Property', value: 6 } }]), 204);
    assert.equal((await getOk(id)).a.value, 6);
  });

  test('an invalid entity fails alone with 207', async () => {
    const good = newId();
    const bad = newId();
    const r = await m.post('/entityOperations/upsert', [ent(good), { id: bad, type: 'Device', a: { type: 'Property' } }]);
    assertMultiStatus(r, [good], [bad]);
    await getOk(good);
    await assertMissing(bad);
  });
});

describe('update', () => {
  test('204 when every entity exists', async () => {
    const ids = [newId(), newId()];
    assertStatus(await m.post('/entityOperations/create', ids.map((id) => ent(id))), 201);
    const r = await m.post('/entityOperations/update', ids.map((id) => ({ id, a: { type: 'Property', value: 7 } })));
    assertStatus(r, 204);
    for (const id of ids) {
      const e = await getOk(id);
      assert.equal(e.a.value, 7);
      assert.equal(e.b.value, 'b');
    }
  });

  test('207 for an unknown id; the known ones are updated', async () => {
    const id = newId();
    const unknown = newId();
    assertStatus(await m.post('/entities', ent(id)), 201);
    const r = await m.post('/entityOperations/update', [
      { id, type: 'Device', a: { type: 'Property', value: 8 } },
      { id: unknown, type: 'Device', a: { type: 'Property', value: 8 } },
    ]);
    const errors = assertMultiStatus(r, [id], [unknown]);
    assert.equal(errors[unknown].status, 404);
    assert.equal((await getOk(id)).a.value, 8);
    await assertMissing(unknown);
  });

  test('options=noOverwrite keeps existing attribute values', async () => {
    const id = newId();
    assertStatus(await m.post('/entities', ent(id)), 201);
    const r = await m.post('/entityOperations/update?options=noOverwrite', [
      { id, a: { type: 'Property', value: 99 }, z: { type: 'Property', value: 'z' } },
    ]);
    assert.ok(r.status === 204 || r.status === 207, show(r));
    const e = await getOk(id);
    assert.equal(e.a.value, 1);
    assert.equal(e.z.value, 'z');
  });
});

describe('merge', () => {
  test('204; sub-properties merge, urn:ngsi-ld:null deletes', async () => {
    const id = newId();
    assertStatus(await m.post('/entities', ent(id, { a: { type: 'Property', value: 1, unitCode: 'MTR' } })), 201);
    const r = await m.post('/entityOperations/merge', [{ id, type: 'Device', a: { type: 'Property', value: 2 }, b: 'urn:ngsi-ld:null', n: { type: 'Property', value: 'n' } }]);
    assertStatus(r, 204);
    const e = await getOk(id);
    assert.equal(e.a.value, 2);
    assert.equal(e.a.unitCode, 'MTR');
    assert.equal(e.b, undefined);
    assert.equal(e.n.value, 'n');
  });

  test('207 for an unknown id', async () => {
    const id = newId();
    const unknown = newId();
    assertStatus(await m.post('/entities', ent(id)), 201);
    const r = await m.post('/entityOperations/merge', [
      { id, type: 'Device', a: { type: 'Property', value: 3 } },
      { id: unknown, type: 'Device', a: { type: 'Property', value: 3 } },
    ]);
    const errors = assertMultiStatus(r, [id], [unknown]);
    assert.equal(errors[unknown].status, 404);
    assert.equal((await getOk(id)).a.value, 3);
    await assertMissing(unknown);
  });
});

describe('delete', () => {
  test('204 when every id exists; they are gone', async () => {
    const ids = [newId(), newId(), newId()];
    assertStatus(await m.post('/entityOperations/create', ids.map((id) => ent(id))), 201);
    assertStatus(await m.post('/entityOperations/delete', ids), 204);
    for (const id of ids) await assertMissing(id);
  });

  test('207 for unknown ids; the known ones are deleted', async () => {
    const ids = [newId(), newId()];
    const unknown = newId();
    assertStatus(await m.post('/entityOperations/create', ids.map((id) => ent(id))), 201);
    const r = await m.post('/entityOperations/delete', [ids[0], unknown, ids[1]]);
    const errors = assertMultiStatus(r, ids, [unknown]);
    assert.equal(errors[unknown].status, 404);
    assert.equal(errors[unknown].type, `${ERRORS}ResourceNotFound`);
    for (const id of ids) await assertMissing(id);
  });

  test('a body of objects answers 400 or 207, and deletes nothing', async () => {
    const id = newId();
    assertStatus(await m.post('/entities', ent(id)), 201);
    const r = await m.post('/entityOperations/delete', [{ id }]);
    assert.ok(r.status === 400 || r.status === 207, show(r));
    await getOk(id);
  });
});

describe('a batch of 1000 entities', () => {
  test('create 1000, count them, update them, delete them', async () => {
    const type = `Bulk${uniq()}`;
    const ids = Array.from({ length: 1000 }, (_, i) => `urn:ngsi-ld:${type}:${i}`);
    const entities = ids.map((id, i) => ({
      id,
      type,
      n: { type: 'Property', value: i },
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [139 + (i % 100) / 100, 35 + Math.floor(i / 100) / 100] } },
    }));
    const created = await m.post('/entityOperations/create', entities);
    assertStatus(created, 201, 'create 1000');
    assert.equal(created.json.length, 1000);
    assert.deepEqual(sorted(created.json), sorted(ids));

    const count = await m.get(`/entities?type=${type}&count=true&limit=0`);
    assertStatus(count, 200);
    assert.equal(count.headers.get('ngsild-results-count'), '1000');

    const q = await m.get(`/entities?type=${type}&q=n>=990&limit=100`);
    assert.deepEqual(sorted(q.json.map((e) => e.id)), sorted(ids.slice(990)));

    const upd = await m.post('/entityOperations/upsert?options=update', ids.map((id) => ({ id, type, n: { type: 'Property', value: -1 } })));
    assertStatus(upd, 204, 'upsert 1000');
    const all = await m.get(`/entities?type=${type}&q=n==-1&count=true&limit=0`);
    assert.equal(all.headers.get('ngsild-results-count'), '1000');

    assertStatus(await m.post('/entityOperations/delete', ids), 204, 'delete 1000');
    const after = await m.get(`/entities?type=${type}&count=true&limit=0`);
    assert.equal(after.headers.get('ngsild-results-count'), '0');
  });
});
