// MQTT notifications (NGSI-LD MQTT binding) through a real mosquitto broker
// that the test starts itself: QoS 1, the notification as "body" beside its
// "metadata", and delivery after a broker outage. Skipped when mosquitto
// is not installed (scripts/install-deps.sh installs it).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { Mosquitto, MOSQUITTO, MqttSubscriber } from './lib/mqtt.mjs';
import { sleep } from './lib/receiver.mjs';
import { assertStatus, show, startServer, stopServer } from './lib/util.mjs';

const enc = encodeURIComponent;
const skip = !existsSync(MOSQUITTO) && `no ${MOSQUITTO}`;
let m;
let broker;

before(async () => {
  if (skip) return;
  m = await startServer({ args: ['--notify-initial-backoff-ms', '100', '--notify-max-backoff-ms', '400',
    '--notify-timeout-ms', '1000', '--durability', 'process'] });
  broker = await new Mosquitto().start();
});

after(async () => {
  if (skip) return;
  await broker.stop();
  broker.cleanup();
  await stopServer(m);
});

test('notifications are published to an mqtt:// endpoint with QoS 1, and survive a broker outage', { skip }, async () => {
  const id = 'urn:ngsi-ld:Room:mqtt1';
  assertStatus(await m.post('/ngsi-ld/v1/entities', { id, type: 'Room', temperature: { type: 'Property', value: 1 } }), 201);
  const sub = await new MqttSubscriber().connect(broker.port, 'city/rooms', 1, 'machi-test-rooms');
  const r = await m.post('/ngsi-ld/v1/subscriptions', {
    type: 'Subscription', entities: [{ type: 'Room', id }], watchedAttributes: ['temperature'],
    notification: { format: 'keyValues', endpoint: { uri: `mqtt://127.0.0.1:${broker.port}/city/rooms`,
      notifierInfo: [{ key: 'MQTT-QoS', value: '1' }], receiverInfo: [{ key: 'X-Room-Key', value: 'k1' }] } },
  });
  assertStatus(r, 201, show(r));
  assertStatus(await m.patch(`/ngsi-ld/v1/entities/${enc(id)}/attrs`, { temperature: { type: 'Property', value: 21 } }), 204);
  await sub.until((msgs) => msgs.length >= 1);
  const [msg] = sub.messages;
  assert.equal(msg.topic, 'city/rooms');
  assert.equal(msg.qos, 1);
  assert.equal(msg.payload.metadata['Content-Type'], 'application/json');
  assert.equal(msg.payload.metadata['X-Room-Key'], 'k1');
  assert.equal(msg.payload.body.type, 'Notification');
  assert.deepEqual(msg.payload.body.data, [{ id, type: 'Room', temperature: 21 }]);
  sub.close();

  // The broker goes away (its sessions are saved); an update meanwhile is
  // delivered once it is back.
  await broker.stop();
  assertStatus(await m.patch(`/ngsi-ld/v1/entities/${enc(id)}/attrs`, { temperature: { type: 'Property', value: 22 } }), 204);
  await sleep(1500);
  const failing = await m.get(`/ngsi-ld/v1/subscriptions/${enc(decodeURIComponent(r.headers.get('location').split('/').pop()))}`);
  assert.ok(failing.json.notification.timesFailed >= 1, show(failing));
  await broker.start(broker.port);
  const again = await new MqttSubscriber().connect(broker.port, 'city/rooms', 1, 'machi-test-rooms');
  try {
    await again.until((msgs) => msgs.some((x) => x.payload.body.data[0].temperature === 22), 15000);
  } finally {
    again.close();
  }

  // Invalid MQTT endpoints are BadRequestData.
  for (const uri of [`mqtt://127.0.0.1:${broker.port}/`, `mqtt://127.0.0.1:${broker.port}/a/#`]) {
    const bad = await m.post('/ngsi-ld/v1/subscriptions', { type: 'Subscription', entities: [{ type: 'Room' }],
      notification: { endpoint: { uri } } });
    assert.equal(bad.status, 400, show(bad));
  }
});
