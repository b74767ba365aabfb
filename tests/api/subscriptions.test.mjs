// NGSI-LD subscriptions and HTTP notifications (clause 5.8, 5.11) against a
// real machi and a real local HTTP receiver: the API, the notification's
// format and attributes, q / geoQ / watchedAttributes, throttling, delivery
// after a receiver outage and across a machi restart.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Machi, linkHeader } from './lib/machi.mjs';
import { Receiver, sleep } from './lib/receiver.mjs';
import { assertProblem, assertStatus, show, startServer, stopServer } from './lib/util.mjs';

const enc = encodeURIComponent;
const ARGS = ['--notify-initial-backoff-ms', '100', '--notify-max-backoff-ms', '400', '--durability', 'process'];

let m;
let rx;
let n = 0;
const uniq = (p) => `${p}${++n}-${Date.now()}`;

async function createSub(body, options = {}) {
  const r = await m.post('/ngsi-ld/v1/subscriptions', { type: 'Subscription', ...body }, options);
  assertStatus(r, 201, 'create subscription');
  const id = decodeURIComponent(r.headers.get('location').split('/').pop());
  return id;
}

function room(id, temperature, extra = {}) {
  return { id, type: 'Room', temperature: { type: 'Property', value: temperature }, ...extra };
}

async function createEntity(e) {
  assertStatus(await m.post('/ngsi-ld/v1/entities', e), 201, `create ${e.id}`);
}

async function patchAttrs(id, attrs) {
  const r = await m.patch(`/ngsi-ld/v1/entities/${enc(id)}/attrs`, attrs);
  assertStatus(r, 204, `patch ${id}`);
}

const entityIds = (list) => list.flatMap((r) => r.body.data.map((e) => e.id));

before(async () => {
  m = await startServer({ args: ARGS });
  rx = await new Receiver().start();
});

after(async () => {
  await rx.stop();
  await stopServer(m);
});

describe('the subscription API', () => {
  test('create, get, list, update, delete', async () => {
    const id = await createSub({
      entities: [{ type: 'Room' }],
      watchedAttributes: ['temperature'],
      q: 'temperature>20',
      notification: { format: 'keyValues', attributes: ['temperature'], endpoint: { uri: rx.url('/crud') } },
    });
    assert.match(id, /^urn:ngsi-ld:Subscription:[0-9a-f-]{36}$/);
    const got = await m.get(`/ngsi-ld/v1/subscriptions/${enc(id)}`);
    assertStatus(got, 200);
    assert.equal(got.json.id, id);
    assert.equal(got.json.type, 'Subscription');
    assert.equal(got.json.status, 'active');
    assert.deepEqual(got.json.watchedAttributes, ['temperature']);
    assert.equal(got.json.notification.format, 'keyValues');
    assert.equal(got.json.notification.timesSent, 0);
    assert.equal(got.json.notification.status, 'ok');

    const second = await createSub({ id: 'urn:ngsi-ld:Subscription:fixed-1', entities: [{ type: 'Lot' }],
      notification: { endpoint: { uri: rx.url('/crud') } } });
    assert.equal(second, 'urn:ngsi-ld:Subscription:fixed-1');
    const dup = await m.post('/ngsi-ld/v1/subscriptions', { id: second, type: 'Subscription', entities: [{ type: 'Lot' }],
      notification: { endpoint: { uri: rx.url('/crud') } } });
    assertProblem(dup, 409, 'AlreadyExists');

    const list = await m.get('/ngsi-ld/v1/subscriptions?count=true&limit=1');
    assertStatus(list, 200);
    assert.equal(list.json.length, 1);
    assert.ok(Number(list.headers.get('ngsild-results-count')) >= 2);
    const page2 = await m.get('/ngsi-ld/v1/subscriptions?limit=1&offset=1');
    assert.equal(page2.json.length, 1);
    assert.notEqual(page2.json[0].id, list.json[0].id);

    assertStatus(await m.patch(`/ngsi-ld/v1/subscriptions/${enc(id)}`, { isActive: false, throttling: 3,
      notification: { format: 'normalized' } }), 204);
    const patched = await m.get(`/ngsi-ld/v1/subscriptions/${enc(id)}`);
    assert.equal(patched.json.status, 'paused');
    assert.equal(patched.json.throttling, 3);
    assert.equal(patched.json.notification.format, 'normalized');
    assert.equal(patched.json.notification.endpoint.uri, rx.url('/crud'), 'the endpoint stays');
    assert.equal(patched.json.q, 'temperature>20');

    assertStatus(await m.delete(`/ngsi-ld/v1/subscriptions/${enc(id)}`), 204);
    assertProblem(await m.get(`/ngsi-ld/v1/subscriptions/${enc(id)}`), 404, 'ResourceNotFound');
    assertProblem(await m.delete(`/ngsi-ld/v1/subscriptions/${enc(id)}`), 404, 'ResourceNotFound');
    assertStatus(await m.delete(`/ngsi-ld/v1/subscriptions/${enc(second)}`), 204);
  });

  test('invalid subscriptions are problem details, never a 500', async () => {
    const endpoint = { uri: rx.url('/x') };
    for (const body of [
      { type: 'Subscription', notification: { endpoint } },
      { type: 'Subscription', entities: [{ type: 'Room' }] },
      { type: 'Subscription', entities: [{ type: 'Room' }], notification: { endpoint: { uri: 'not a uri' } } },
      { type: 'Subscription', entities: [{ type: 'Room' }], q: 'temperature>>1', notification: { endpoint } },
      { type: 'Subscription', entities: [{ type: 'Room' }], geoQ: { georel: 'near' }, notification: { endpoint } },
      { type: 'Subscription', entities: [{ type: 'Room' }], throttling: 'x', notification: { endpoint } },
      { type: 'Subscription', entities: [{ type: 'Room' }], expiresAt: 'tomorrow', notification: { endpoint } },
      { type: 'Subscription', entities: [{ type: 'Room' }], notification: { format: 'xml', endpoint } },
      { type: 'Subscription', entities: [{ type: 'Room', idPattern: '(' }], notification: { endpoint } },
      { type: 'Subscription', entities: [{ type: 'Room' }], notification: { endpoint: { ...endpoint, receiverInfo: [{ key: 'a b', value: 'c' }] } } },
      { type: 'Entity', entities: [{ type: 'Room' }], notification: { endpoint } },
      [],
    ]) {
      const r = await m.post('/ngsi-ld/v1/subscriptions', body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${show(r)}`);
      assertProblem(r, 400, ['BadRequestData', 'InvalidRequest']);
    }
    const r = await m.post('/ngsi-ld/v1/subscriptions', '{"type": ', {});
    assertProblem(r, 400, 'InvalidRequest');
    assertProblem(await m.patch('/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:none', { q: 'a>1' }), 404, 'ResourceNotFound');
  });
});

describe('notifications', () => {
  test('arrive in the asked format, with the asked attributes and the receiver headers', async () => {
    const id = uniq('urn:ngsi-ld:Room:fmt');
    await createEntity(room(id, 20, { humidity: { type: 'Property', value: 40 } }));
    const subId = await createSub({
      entities: [{ type: 'Room', id }],
      notification: {
        format: 'keyValues',
        attributes: ['temperature'],
        endpoint: { uri: rx.url('/fmt'), accept: 'application/json', receiverInfo: [{ key: 'X-Auth-Token', value: 'abc' }] },
      },
    });
    await patchAttrs(id, { temperature: { type: 'Property', value: 23 } });
    await rx.until(() => rx.at('/fmt').length >= 1);
    const [note] = rx.at('/fmt');
    assert.equal(note.body.type, 'Notification');
    assert.match(note.body.id, /^urn:ngsi-ld:Notification:/);
    assert.equal(note.body.subscriptionId, subId);
    assert.ok(!Number.isNaN(Date.parse(note.body.notifiedAt)));
    assert.deepEqual(note.body.data, [{ id, type: 'Room', temperature: 23 }]);
    assert.equal(note.headers['content-type'], 'application/json');
    assert.match(note.headers.link, /rel="http:\/\/www.w3.org\/ns\/json-ld#context"/);
    assert.equal(note.headers['x-auth-token'], 'abc');

    // normalized, as JSON-LD with the @context in the body
    const ld = await createSub({
      entities: [{ type: 'Room', id }],
      notification: { endpoint: { uri: rx.url('/fmt-ld'), accept: 'application/ld+json' } },
    });
    await patchAttrs(id, { humidity: { type: 'Property', value: 41 } });
    await rx.until(() => rx.at('/fmt-ld').length >= 1);
    const ldNote = rx.at('/fmt-ld')[0];
    assert.equal(ldNote.headers['content-type'], 'application/ld+json');
    assert.ok(ldNote.body['@context']);
    assert.equal(ldNote.body.data[0].humidity.value, 41);
    assert.equal(ldNote.body.data[0].temperature.type, 'Property');
    // the status counts the delivery
    await sleep(100);
    const status = await m.get(`/ngsi-ld/v1/subscriptions/${enc(ld)}`);
    assert.ok(status.json.notification.timesSent >= 1, show(status));
    assert.ok(status.json.notification.lastSuccess);
  });

  test('names are compacted with the subscription\'s @context', async () => {
    const ctx = { '@context': [{ temp: 'https://example.org/ns/temperature' }, 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld'] };
    const id = uniq('urn:ngsi-ld:Room:ctx');
    assertStatus(await m.post('/ngsi-ld/v1/entities', { ...ctx, id, type: 'Room', temp: { type: 'Property', value: 1 } },
      { contentType: 'application/ld+json' }), 201);
    await createSub({ ...ctx, entities: [{ type: 'Room', id }], watchedAttributes: ['temp'],
      notification: { format: 'keyValues', endpoint: { uri: rx.url('/ctx'), accept: 'application/ld+json' } } },
    { contentType: 'application/ld+json' });
    assertStatus(await m.patch(`/ngsi-ld/v1/entities/${enc(id)}/attrs`, { ...ctx, temp: { type: 'Property', value: 2 } },
      { contentType: 'application/ld+json' }), 204);
    await rx.until(() => rx.at('/ctx').length >= 1);
    assert.deepEqual(rx.at('/ctx')[0].body.data, [{ id, type: 'Room', temp: 2 }]);
  });

  test('watchedAttributes, q and geoQ select what is notified', async () => {
    const a = uniq('urn:ngsi-ld:Room:filter-a');
    const b = uniq('urn:ngsi-ld:Room:filter-b');
    const near = { type: 'GeoProperty', value: { type: 'Point', coordinates: [139.70, 35.68] } };
    const far = { type: 'GeoProperty', value: { type: 'Point', coordinates: [135.50, 34.69] } };
    await createEntity(room(a, 10, { humidity: { type: 'Property', value: 1 }, location: near }));
    await createEntity(room(b, 10, { humidity: { type: 'Property', value: 1 }, location: far }));
    const pattern = a.replace(/[0-9]+$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await createSub({ entities: [{ type: 'Room', id: a }, { type: 'Room', id: b }], watchedAttributes: ['temperature'],
      notification: { endpoint: { uri: rx.url('/watched') } } });
    await createSub({ entities: [{ type: 'Room', id: a }, { type: 'Room', id: b }], q: 'temperature>25',
      notification: { endpoint: { uri: rx.url('/q') } } });
    await createSub({ entities: [{ type: 'Room', idPattern: `${pattern}.*` }, { type: 'Room', id: b }],
      geoQ: { georel: 'near;maxDistance==20000', geometry: 'Point', coordinates: [139.70, 35.68] },
      notification: { endpoint: { uri: rx.url('/geo') } } });

    await patchAttrs(a, { humidity: { type: 'Property', value: 2 } }); // watched: no; q: no; geo: yes (a)
    await patchAttrs(b, { temperature: { type: 'Property', value: 30 } }); // watched: yes (b); q: yes (b); geo: no
    await rx.until(() => rx.at('/watched').length >= 1 && rx.at('/q').length >= 1 && rx.at('/geo').length >= 1);
    await sleep(300);
    assert.deepEqual(entityIds(rx.at('/watched')), [b]);
    assert.deepEqual(entityIds(rx.at('/q')), [b]);
    assert.deepEqual(entityIds(rx.at('/geo')), [a]);
  });

  test('throttling keeps notifications apart', async () => {
    const id = uniq('urn:ngsi-ld:Room:throttle');
    await createEntity(room(id, 1));
    await createSub({ entities: [{ type: 'Room', id }], throttling: 2, notification: { endpoint: { uri: rx.url('/throttle') } } });
    for (let i = 0; i < 5; ++i) {
      await patchAttrs(id, { temperature: { type: 'Property', value: 100 + i } });
      await sleep(60);
    }
    await rx.until(() => rx.at('/throttle').length >= 1);
    await sleep(500);
    assert.equal(rx.at('/throttle').length, 1, 'one notification within the throttling period');
    await sleep(1700);
    await patchAttrs(id, { temperature: { type: 'Property', value: 200 } });
    await rx.until(() => rx.at('/throttle').length >= 2, 5000, 'a notification after the throttling period');
  });

  test('periodic notifications (timeInterval) carry the current state', async () => {
    const id = uniq('urn:ngsi-ld:Room:periodic');
    await createEntity(room(id, 5));
    await createSub({ entities: [{ type: 'Room', id }], timeInterval: 1, notification: { format: 'keyValues', endpoint: { uri: rx.url('/periodic') } } });
    await rx.until(() => rx.at('/periodic').length >= 2, 5000, 'two periodic notifications');
    assert.deepEqual(rx.at('/periodic')[0].body.data, [{ id, type: 'Room', temperature: 5 }]);
  });

  test('expired and paused subscriptions do not notify', async () => {
    const id = uniq('urn:ngsi-ld:Room:quiet');
    await createEntity(room(id, 5));
    await createSub({ entities: [{ type: 'Room', id }], expiresAt: '2020-01-01T00:00:00Z', notification: { endpoint: { uri: rx.url('/quiet') } } });
    const paused = await createSub({ entities: [{ type: 'Room', id }], isActive: false, notification: { endpoint: { uri: rx.url('/quiet') } } });
    const list = await m.get('/ngsi-ld/v1/subscriptions?limit=1000');
    assert.ok(list.json.some((s) => s.status === 'expired'));
    await patchAttrs(id, { temperature: { type: 'Property', value: 6 } });
    await sleep(700);
    assert.equal(rx.at('/quiet').length, 0);
    assertStatus(await m.patch(`/ngsi-ld/v1/subscriptions/${enc(paused)}`, { isActive: true }), 204);
    await patchAttrs(id, { temperature: { type: 'Property', value: 7 } });
    await rx.until(() => rx.at('/quiet').length >= 1);
  });
});

describe('delivery guarantees', () => {
  test('a receiver outage: every notification arrives once it is back, and failures are counted', async () => {
    const down = await new Receiver().start();
    const port = down.port;
    await down.stop();
    const ids = [];
    for (let i = 0; i < 5; ++i) {
      const id = uniq('urn:ngsi-ld:Room:outage');
      ids.push(id);
      await createEntity(room(id, 1));
    }
    const subId = await createSub({ entities: ids.map((id) => ({ type: 'Room', id })), watchedAttributes: ['temperature'],
      notification: { endpoint: { uri: `http://127.0.0.1:${port}/outage` } } });
    for (const id of ids) {
      await patchAttrs(id, { temperature: { type: 'Property', value: 42 } });
      await sleep(30);
    }
    await sleep(800);
    const failing = await m.get(`/ngsi-ld/v1/subscriptions/${enc(subId)}`);
    assert.ok(failing.json.notification.timesFailed >= 1, show(failing));
    assert.equal(failing.json.notification.status, 'failed');
    assert.ok(failing.json.notification.pending >= 1);
    const back = await new Receiver().start(port);
    try {
      await back.until(() => new Set(entityIds(back.received)).size === ids.length, 10000, 'all notifications after the outage');
      assert.deepEqual([...new Set(entityIds(back.received))].sort(), [...ids].sort());
      await sleep(200);
      const ok = await m.get(`/ngsi-ld/v1/subscriptions/${enc(subId)}`);
      assert.equal(ok.json.notification.status, 'ok');
      assert.equal(ok.json.notification.pending, 0);
      assert.ok(ok.json.notification.timesSent > ok.json.notification.timesFailed);
    } finally {
      await back.stop();
    }
  });

  test('retention: beyond --notify-max-pending the oldest are dropped, counted and logged', async () => {
    const own = await new Machi({ args: [...ARGS, '--notify-max-pending', '2'] }).start();
    const down = await new Receiver().start();
    const port = down.port;
    await down.stop();
    try {
      const ids = [];
      for (let i = 0; i < 5; ++i) {
        ids.push(`urn:ngsi-ld:Room:retention-${i}`);
        assertStatus(await own.post('/ngsi-ld/v1/entities', room(ids[i], 1)), 201);
      }
      const r = await own.post('/ngsi-ld/v1/subscriptions', { type: 'Subscription', entities: [{ type: 'Room' }],
        watchedAttributes: ['temperature'], notification: { format: 'keyValues', endpoint: { uri: `http://127.0.0.1:${port}/keep` } } });
      assertStatus(r, 201);
      const subPath = r.headers.get('location');
      for (const id of ids) {
        assertStatus(await own.patch(`/ngsi-ld/v1/entities/${enc(id)}/attrs`, { temperature: { type: 'Property', value: 5 } }), 204);
        await sleep(50);
      }
      await sleep(300);
      const s = await own.get(subPath);
      assert.equal(s.json.notification.status, 'failed', show(s));
      assert.equal(s.json.notification.droppedNotifications, 3, show(s));
      assert.ok(s.json.notification.pending <= 2, show(s));
      assert.match(own.stderr, /undelivered notifications dropped under the retention rule/);
      const back = await new Receiver().start(port);
      try {
        await back.until(() => entityIds(back.received).includes(ids[4]), 10000, 'the newest notification');
        await sleep(300);
        const got = entityIds(back.received);
        assert.ok(got.length <= 2, `at most max-pending arrive: ${got}`);
      } finally {
        await back.stop();
      }
    } finally {
      await own.stop();
      own.cleanup();
    }
  });

  test('SIGKILL during an update load: every acknowledged update is notified after the restart', async () => {
    const own = await new Machi({ args: ARGS }).start();
    const rcv = await new Receiver().start();
    let again;
    try {
      const ids = Array.from({ length: 1000 }, (_, i) => `urn:ngsi-ld:Room:load-${i}`);
      assertStatus(await own.post('/ngsi-ld/v1/entityOperations/upsert', ids.map((id) => room(id, 0))), 201);
      assertStatus(await own.post('/ngsi-ld/v1/subscriptions', { type: 'Subscription', entities: [{ type: 'Room' }],
        watchedAttributes: ['temperature'], notification: { format: 'keyValues', endpoint: { uri: rcv.url('/load') } } }), 201);
      const acked = [];
      let next = 0;
      let killed = false;
      const workers = Array.from({ length: 8 }, async () => {
        while (!killed && next < ids.length) {
          const id = ids[next++];
          try {
            const r = await own.patch(`/ngsi-ld/v1/entities/${enc(id)}/attrs`, { temperature: { type: 'Property', value: 1 } });
            if (r.status === 204) acked.push(id);
          } catch {
            return; // the server is gone
          }
        }
      });
      await sleep(400);
      killed = true;
      await own.kill();
      await Promise.all(workers);
      assert.ok(acked.length > 0 && acked.length < ids.length, `killed during the load (${acked.length} acknowledged)`);
      again = new Machi({ dataDir: own.dataDir, port: own.port, args: ARGS });
      await again.start();
      await rcv.until(() => {
        const got = new Set(entityIds(rcv.at('/load')));
        return acked.every((id) => got.has(id));
      }, 20000, `all ${acked.length} acknowledged updates`);
    } finally {
      await rcv.stop();
      if (again) await again.stop();
      own.cleanup();
    }
  });

  for (const signal of ['SIGKILL', 'SIGTERM']) {
    test(`a notification survives a machi restart (${signal} after the update's 2xx, before delivery)`, async () => {
      const own = await new Machi({ args: ARGS }).start();
      const down = await new Receiver().start();
      const port = down.port;
      await down.stop();
      try {
        const id = uniq('urn:ngsi-ld:Room:restart');
        assertStatus(await own.post('/ngsi-ld/v1/entities', room(id, 1)), 201);
        const r = await own.post('/ngsi-ld/v1/subscriptions', { type: 'Subscription', entities: [{ type: 'Room', id }],
          watchedAttributes: ['temperature'], notification: { format: 'keyValues', endpoint: { uri: `http://127.0.0.1:${port}/restart` } } });
        assertStatus(r, 201);
        assertStatus(await own.patch(`/ngsi-ld/v1/entities/${enc(id)}/attrs`, { temperature: { type: 'Property', value: 77 } }), 204);
        if (signal === 'SIGKILL') {
          await own.kill();
        } else {
          await sleep(300); // in the outbox, failing
          await own.stop();
        }
        const again = new Machi({ dataDir: own.dataDir, port: own.port, args: ARGS });
        const back = await new Receiver().start(port);
        try {
          await again.start();
          await back.until(() => back.received.length >= 1, 10000, 'the notification after the restart');
          assert.deepEqual(back.received[0].body.data, [{ id, type: 'Room', temperature: 77 }]);
        } finally {
          await back.stop();
          await again.stop();
        }
      } finally {
        if (own.proc.exitCode === null && own.proc.signalCode === null) await own.stop();
        own.cleanup();
      }
    });
  }
});

describe('outbound address policy', () => {
  // A subscriber chooses the endpoint; by default machi calls no loopback,
  // private or link-local address (server-side request forgery).
  test('a loopback endpoint is refused unless the operator allows it, and the failure shows', async () => {
    const own = await startServer({ args: ARGS, outboundAllow: null });
    const probe = await new Receiver().start();
    try {
      const id = uniq('urn:ngsi-ld:Room:ssrf');
      assertStatus(await own.post('/ngsi-ld/v1/entities', room(id, 1)), 201);
      const r = await own.post('/ngsi-ld/v1/subscriptions', { type: 'Subscription', entities: [{ type: 'Room', id }],
        watchedAttributes: ['temperature'], notification: { endpoint: { uri: probe.url('/internal') } } });
      assertStatus(r, 201);
      const subId = decodeURIComponent(r.headers.get('location').split('/').pop());
      assertStatus(await own.patch(`/ngsi-ld/v1/entities/${enc(id)}/attrs`, { temperature: { type: 'Property', value: 9 } }), 204);
      let sub;
      for (let i = 0; i < 50; ++i) {
        sub = await own.get(`/ngsi-ld/v1/subscriptions/${enc(subId)}`);
        if (sub.json.notification.timesFailed >= 1) break;
        await sleep(100);
      }
      assert.ok(sub.json.notification.timesFailed >= 1, show(sub));
      assert.equal(sub.json.notification.status, 'failed');
      assert.equal(probe.received.length, 0, 'the loopback receiver got nothing');
      assert.match(own.stderr, /not calling 127\.0\.0\.1: .*--outbound-allow/);
    } finally {
      await probe.stop();
      await stopServer(own);
    }
  });

  test('a malformed --outbound-allow stops machi before it serves', async () => {
    const bad = new Machi({ args: [], outboundAllow: '10.0.0.0/33' });
    await assert.rejects(bad.start(), /machi exited early: .*prefix length/s);
    bad.cleanup();
  });
});
