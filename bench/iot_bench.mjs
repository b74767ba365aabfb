// `iot` scenario of bench/run.sh: measures ingested from MQTT into the store
// (IoT Agent JSON topics, docs/iot.md) against two references in the same
// run: the same messages through the same mosquitto to a plain MQTT
// subscriber that only counts them (the broker and a client's own rate),
// and the same measures written over HTTP as NGSIv2 batch appends
// (POST /v2/op/update, --http-batch per request, --http-connections in
// flight) to the same machi: the store's write path without MQTT.
//
//   node bench/iot_bench.mjs --machi BUILD/machi [--messages 50000] [--devices 1000]
//        [--window 1000] [--durability full] [--out iot.json]
//
// Both runs publish --messages QoS 1 messages (one measure of three
// attributes each, round-robin over --devices provisioned devices) from one
// pipelined publisher with up to --window unacknowledged PUBLISHes. The
// reference rate is messages / (last received - first sent) at the plain
// subscriber; machi's is measures / (the moment GET /iot/about counts them
// all applied - first sent): applied means committed to the store (durable
// with --durability full). Before machi's run every device sends one
// measure, so that the measured ones update existing entities.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const MACHI = args.machi ?? 'build/machi';
const MOSQUITTO = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';
const MESSAGES = Number(args.messages ?? 50000);
const DEVICES = Number(args.devices ?? 1000);
const WINDOW = Number(args.window ?? 1000);
const DURABILITY = args.durability ?? 'full';
const PASSWORD = 'bench-admin-password-1';
const APIKEY = 'bench-key';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (s) => process.stderr.write(`[iot ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitPort(port, what) {
  for (let i = 0; i < 200; ++i) {
    const ok = await new Promise((resolve) => {
      const s = connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`${what} did not start`);
}

// ---------------------------------------------------------------- MQTT bytes

function remainingLength(n) {
  const out = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}
const str = (s) => {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
};
const packet = (type, body) => Buffer.concat([Buffer.from([type]), remainingLength(body.length), body]);
const connectPacket = (clientId) => packet(0x10, Buffer.concat([str('MQTT'), Buffer.from([4, 0x02, 0, 60]), str(clientId)]));

// Splits a byte stream into MQTT packets: calls onPacket(header, body).
function packetReader(onPacket) {
  let buffer = Buffer.alloc(0);
  return (chunk) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    let at = 0;
    for (;;) {
      if (buffer.length - at < 2) break;
      let length = 0;
      let multiplier = 1;
      let i = at + 1;
      let byte;
      let complete = true;
      do {
        if (i >= buffer.length) { complete = false; break; }
        byte = buffer[i++];
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
      } while (byte & 0x80);
      if (!complete || buffer.length < i + length) break;
      onPacket(buffer[at], buffer.subarray(i, i + length));
      at = i + length;
    }
    buffer = buffer.subarray(at);
  };
}

async function openClient(port, clientId, onPacket) {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  let connacked;
  const ready = new Promise((resolve) => { connacked = resolve; });
  socket.on('data', packetReader((header, body) => {
    if ((header & 0xf0) === 0x20) connacked();
    else onPacket(header, body, socket);
  }));
  socket.write(connectPacket(clientId));
  await ready;
  return socket;
}

const payloadOf = (i) => `{"t":${(20 + (i % 100) / 10).toFixed(1)},"h":${i % 100},"s":"ok"}`;
const topicOf = (i) => `/${APIKEY}/dev${i % DEVICES}/attrs`;

// Publishes `count` QoS 1 messages with up to WINDOW unacknowledged;
// resolves with the time of the first send.
async function publishAll(port, count, offset = 0) {
  let acked = 0;
  let sent = 0;
  let wake = () => {};
  const socket = await openClient(port, `bench-pub-${process.pid}-${Date.now()}`, (header) => {
    if ((header & 0xf0) === 0x40) {
      acked += 1;
      wake();
    }
  });
  const started = performance.now();
  while (acked < count) {
    const parts = [];
    while (sent < count && sent - acked < WINDOW) {
      const id = (sent % 65535) + 1;
      const i = offset + sent;
      parts.push(packet(0x32, Buffer.concat([str(topicOf(i)), Buffer.from([id >> 8, id & 0xff]), Buffer.from(payloadOf(i))])));
      sent += 1;
    }
    if (parts.length) socket.write(Buffer.concat(parts));
    await new Promise((resolve) => { wake = resolve; setTimeout(resolve, 100); });
  }
  socket.end(Buffer.from([0xe0, 0]));
  return started;
}

// ---------------------------------------------------------------- the run

const dir = mkdtempSync(join(tmpdir(), 'machi-iot-bench-'));
const mqttPort = await freePort();
writeFileSync(join(dir, 'mosquitto.conf'),
  `listener ${mqttPort} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nmax_inflight_messages 0\n`);
const broker = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
await waitPort(mqttPort, 'mosquitto');

// 1. The reference: a plain subscriber that counts the messages.
log(`reference: ${MESSAGES} QoS 1 messages through mosquitto to a plain subscriber`);
let received = 0;
let lastAt = 0;
let done;
const allReceived = new Promise((resolve) => { done = resolve; });
const subscriber = await openClient(mqttPort, `bench-sub-${process.pid}`, (header, body, socket) => {
  const type = header & 0xf0;
  if (type !== 0x30) return;
  const qos = (header >> 1) & 3;
  if (qos > 0) {
    const topicLength = body.readUInt16BE(0);
    socket.write(Buffer.from([0x40, 2, body[2 + topicLength], body[3 + topicLength]]));
  }
  received += 1;
  lastAt = performance.now();
  if (received === MESSAGES) done();
});
await new Promise((resolve) => {
  subscriber.once('data', resolve); // SUBACK
  subscriber.write(packet(0x82, Buffer.concat([Buffer.from([0, 1]), str('/+/+/attrs'), Buffer.from([1])])));
});
const refStart = await publishAll(mqttPort, MESSAGES);
await Promise.race([allReceived, sleep(120000)]);
const referenceRate = received / ((lastAt - refStart) / 1000);
subscriber.end(Buffer.from([0xe0, 0]));
log(`reference: ${received} messages at ${referenceRate.toFixed(0)} messages/s`);

// 2. machi.
const dataDir = join(dir, 'data');
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const machi = spawn(MACHI, ['serve', '--port', String(port), '--data', dataDir, '--durability', DURABILITY,
  '--outbound-allow', '127.0.0.0/8',
  '--iot-mqtt', `mqtt://127.0.0.1:${mqttPort}`, '--iot-client-id', `bench-machi-${process.pid}`], {
  stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, MACHI_ADMIN_PASSWORD: PASSWORD },
});
for (let i = 0; ; ++i) {
  try {
    if ((await fetch(`${base}/health`)).ok) break;
  } catch { /* not yet */ }
  if (i > 300) throw new Error('machi did not start');
  await sleep(50);
}
const tok = await (await fetch(`${base}/machi/v1/auth/token`, {
  method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ grant_type: 'password', username: 'admin', password: PASSWORD }).toString(),
})).json();
const H = { Authorization: `Bearer ${tok.access_token}`, 'Content-Type': 'application/json', 'Fiware-ServicePath': '/bench' };
const about = async () => (await (await fetch(`${base}/iot/about`, { headers: H })).json());
async function post(path, body) {
  const r = await fetch(`${base}${path}`, { method: 'POST', headers: H, body: JSON.stringify(body) });
  if (r.status !== 201) throw new Error(`${path}: ${r.status} ${await r.text()}`);
}
await post('/iot/services', { services: [{ apikey: APIKEY, resource: '/iot/json', entity_type: 'WeatherObserved',
  attributes: [{ object_id: 't', name: 'temperature', type: 'Number' }, { object_id: 'h', name: 'relativeHumidity', type: 'Number' },
    { object_id: 's', name: 'status', type: 'Text' }] }] });
for (let i = 0; i < DEVICES; i += 1000) {
  await post('/iot/devices', { devices: Array.from({ length: Math.min(1000, DEVICES - i) }, (_, k) => ({ device_id: `dev${i + k}` })) });
}
for (let i = 0; !(await about()).southbound.connected; ++i) {
  if (i > 200) throw new Error('machi did not connect to mosquitto');
  await sleep(50);
}
async function appliedReaches(target, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const a = await about();
    if (a.service.measuresApplied >= target) return { at: performance.now(), about: a };
    if (Date.now() > deadline) return { at: null, about: a };
    await sleep(10);
  }
}
log(`machi: ${DEVICES} devices send one measure each (entities created)`);
await publishAll(mqttPort, DEVICES, 0);
await appliedReaches(DEVICES, 60000);
const batchesBefore = (await about()).southbound.batches;
log(`machi: ${MESSAGES} QoS 1 messages into machi (durability ${DURABILITY})`);
const start = await publishAll(mqttPort, MESSAGES, DEVICES);
const end = await appliedReaches(DEVICES + MESSAGES, 300000);
const applied = end.about.service.measuresApplied - DEVICES;
const seconds = ((end.at ?? performance.now()) - start) / 1000;
const machiRate = applied / seconds;
const batches = end.about.southbound.batches - batchesBefore;

// 3. The HTTP reference on the same server: the same measures as NGSIv2
// appends (what an IoT Agent sends to Orion), HTTP_BATCH entities per
// POST /v2/op/update, HTTP_CONNECTIONS requests in flight.
const HTTP_BATCH = Number(args['http-batch'] ?? 100);
const HTTP_CONNECTIONS = Number(args['http-connections'] ?? 4);
log(`http reference: the same ${MESSAGES} measures as POST /v2/op/update (append), ${HTTP_BATCH} per request, ${HTTP_CONNECTIONS} in flight`);
let next = 0;
const httpStart = performance.now();
await Promise.all(Array.from({ length: HTTP_CONNECTIONS }, async () => {
  while (next < MESSAGES) {
    const from = next;
    next += HTTP_BATCH;
    const observed = { observedAt: { type: 'DateTime', value: new Date().toISOString() } };
    const entities = [];
    for (let i = from; i < Math.min(from + HTTP_BATCH, MESSAGES); ++i) {
      const m = JSON.parse(payloadOf(i));
      entities.push({ id: `urn:ngsi-ld:WeatherObserved:dev${i % DEVICES}`, type: 'WeatherObserved',
        temperature: { type: 'Number', value: m.t, metadata: observed },
        relativeHumidity: { type: 'Number', value: m.h, metadata: observed },
        status: { type: 'Text', value: m.s, metadata: observed } });
    }
    const r = await fetch(`${base}/v2/op/update`, { method: 'POST', headers: H, body: JSON.stringify({ actionType: 'append', entities }) });
    await r.arrayBuffer();
    if (r.status !== 204) throw new Error(`/v2/op/update: ${r.status}`);
  }
}));
const httpRate = MESSAGES / ((performance.now() - httpStart) / 1000);
log(`http reference: ${httpRate.toFixed(0)} measures/s`);
const result = {
  measures_per_s: Math.round(machiRate),
  reference_messages_per_s: Math.round(referenceRate),
  ratio_to_reference: Number((machiRate / referenceRate).toFixed(3)),
  http_reference_measures_per_s: Math.round(httpRate),
  ratio_to_http: Number((machiRate / httpRate).toFixed(3)),
  messages: MESSAGES,
  applied,
  complete: end.at !== null,
  rejected: end.about.service.rejected,
  store_batches: batches,
  measures_per_batch: batches > 0 ? Number((applied / batches).toFixed(1)) : null,
  devices: DEVICES,
  attributes_per_measure: 3,
  window: WINDOW,
  durability: DURABILITY,
};
log(`machi: ${applied} measures applied at ${result.measures_per_s} measures/s in ${batches} batches ` +
  `(${result.measures_per_batch} per batch); reference ${result.reference_messages_per_s} messages/s: ratio ${result.ratio_to_reference}; ` +
  `HTTP /v2/op/update ${result.http_reference_measures_per_s} measures/s: ratio ${result.ratio_to_http}`);
console.log(JSON.stringify(result));
if (args.out) writeFileSync(args.out, `${JSON.stringify(result)}\n`);
machi.kill('SIGTERM');
await new Promise((r) => machi.on('exit', r));
broker.kill('SIGTERM');
await new Promise((r) => broker.on('exit', r));
rmSync(dir, { recursive: true, force: true });
