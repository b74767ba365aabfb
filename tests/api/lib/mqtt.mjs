// A real mosquitto broker started by the test, and a minimal MQTT 3.1.1
// subscriber written from the specification (CONNECT, SUBSCRIBE, PUBLISH
// with PUBACK for QoS 1), so that the tests need no npm package.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from './machi.mjs';

export const MOSQUITTO = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';

export class Mosquitto {
  async start(port) {
    this.port = port ?? this.port ?? (await freePort());
    this.dir = this.dir ?? mkdtempSync(join(tmpdir(), 'machi-mosquitto-'));
    const conf = join(this.dir, 'mosquitto.conf');
    writeFileSync(conf, `listener ${this.port} 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location ${this.dir}/\n`);
    this.proc = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.stderr = '';
    this.proc.stderr.on('data', (c) => { this.stderr += c; });
    this.exited = new Promise((resolve) => this.proc.on('exit', resolve));
    const deadline = Date.now() + 10000;
    for (;;) {
      const ok = await new Promise((resolve) => {
        const s = connect(this.port, '127.0.0.1', () => { s.destroy(); resolve(true); });
        s.on('error', () => resolve(false));
      });
      if (ok) return this;
      if (Date.now() > deadline || this.proc.exitCode !== null) throw new Error(`mosquitto did not start: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    this.proc.kill('SIGTERM');
    await this.exited;
  }

  cleanup() {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

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

function str(s) {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

function packet(type, body) {
  return Buffer.concat([Buffer.from([type]), remainingLength(body.length), body]);
}

// Subscribes to a topic; messages are [{topic, qos, payload (parsed JSON)}].
export class MqttSubscriber {
  constructor() {
    this.messages = [];
    this.buffer = Buffer.alloc(0);
    this.waiters = [];
  }

  // clientId given: a persistent session (clean session off), so that QoS 1
  // messages published while the subscriber is away wait for it.
  async connect(port, topic, qos = 1, clientId = undefined) {
    this.socket = connect(port, '127.0.0.1');
    await new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.socket.on('error', () => {});
    this.socket.on('data', (chunk) => this.#onData(chunk));
    const connack = this.#next(0x20);
    const keepAlive = Buffer.from([0, 60]);
    const flags = clientId ? 0x00 : 0x02;
    const id = clientId ?? `machi-test-${process.pid}-${Date.now()}`;
    this.socket.write(packet(0x10, Buffer.concat([str('MQTT'), Buffer.from([4, flags]), keepAlive, str(id)])));
    await connack;
    const suback = this.#next(0x90);
    this.socket.write(packet(0x82, Buffer.concat([Buffer.from([0, 1]), str(topic), Buffer.from([qos])])));
    await suback;
    return this;
  }

  close() {
    if (this.socket && !this.socket.destroyed) this.socket.end(Buffer.from([0xe0, 0])); // DISCONNECT
  }

  #next(type) {
    return new Promise((resolve) => this.waiters.push({ type, resolve }));
  }

  #onData(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.buffer.length < 2) return;
      let multiplier = 1;
      let length = 0;
      let i = 1;
      let byte;
      do {
        if (i >= this.buffer.length) return;
        byte = this.buffer[i++];
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
      } while (byte & 0x80);
      if (this.buffer.length < i + length) return;
      const header = this.buffer[0];
      const body = this.buffer.subarray(i, i + length);
      this.buffer = this.buffer.subarray(i + length);
      const type = header & 0xf0;
      if (type === 0x30) {
        const qos = (header >> 1) & 3;
        const topicLength = body.readUInt16BE(0);
        const topic = body.subarray(2, 2 + topicLength).toString('utf8');
        let at = 2 + topicLength;
        if (qos > 0) {
          const id = body.subarray(at, at + 2);
          at += 2;
          this.socket.write(Buffer.concat([Buffer.from([0x40, 2]), id]));
        }
        const text = body.subarray(at).toString('utf8');
        let payload;
        try {
          payload = JSON.parse(text);
        } catch {
          payload = text;
        }
        this.messages.push({ topic, qos, payload });
        for (const w of this.waiters.filter((w) => w.type === 'message')) w.resolve();
        this.waiters = this.waiters.filter((w) => w.type !== 'message');
      } else {
        const w = this.waiters.find((x) => x.type === type);
        if (w) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(body);
        }
      }
    }
  }

  async until(predicate, timeoutMs = 10000) {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.messages)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for MQTT messages; got ${JSON.stringify(this.messages)}`);
      await Promise.race([this.#next('message'), new Promise((r) => setTimeout(r, Math.min(left, 200)))]);
    }
    return this.messages;
  }
}

// A minimal MQTT 3.1.1 publisher (CONNECT, PUBLISH with QoS 0 or 1 and its
// PUBACK), as a device of the IoT Agent JSON protocol would publish.
export class MqttPublisher {
  constructor() {
    this.buffer = Buffer.alloc(0);
    this.waiters = [];
    this.nextId = 1;
  }

  async connect(port, clientId = `machi-test-pub-${process.pid}-${Date.now()}`) {
    this.socket = connect(port, '127.0.0.1');
    await new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.socket.on('error', () => {});
    this.socket.on('data', (chunk) => this.#onData(chunk));
    const connack = this.#next(0x20);
    this.socket.write(packet(0x10, Buffer.concat([str('MQTT'), Buffer.from([4, 0x02, 0, 60]), str(clientId)])));
    await connack;
    return this;
  }

  // Resolves once the broker has the message (PUBACK for QoS 1). payload:
  // a string or Buffer as is, anything else as JSON.
  async publish(topic, payload, qos = 1) {
    const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload), 'utf8');
    if (qos === 0) {
      this.socket.write(packet(0x30, Buffer.concat([str(topic), bytes])));
      return;
    }
    const id = this.nextId;
    this.nextId = (this.nextId % 65535) + 1;
    const idBytes = Buffer.from([id >> 8, id & 0xff]);
    const puback = this.#next(0x40, id);
    this.socket.write(packet(0x32, Buffer.concat([str(topic), idBytes, bytes])));
    await puback;
  }

  close() {
    if (this.socket && !this.socket.destroyed) this.socket.end(Buffer.from([0xe0, 0]));
  }

  #next(type, id) {
    return new Promise((resolve) => this.waiters.push({ type, id, resolve }));
  }

  #onData(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 2) {
      const length = this.buffer[1]; // CONNACK and PUBACK are short
      if (this.buffer.length < 2 + length) return;
      const type = this.buffer[0] & 0xf0;
      const body = this.buffer.subarray(2, 2 + length);
      this.buffer = this.buffer.subarray(2 + length);
      const id = type === 0x40 ? body.readUInt16BE(0) : undefined;
      const w = this.waiters.find((x) => x.type === type && (x.id === undefined || x.id === id));
      if (w) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(body);
      }
    }
  }
}
