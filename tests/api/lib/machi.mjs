// Starts a real machi server on a free port with a fresh data directory,
// and offers small helpers for talking NGSI-LD to it over HTTP.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BIN = process.env.MACHI_BIN ?? new URL('../../../build/machi', import.meta.url).pathname;
export const CORE_CONTEXT = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export class Machi {
  constructor({ dataDir, port, args = [] } = {}) {
    this.ownsData = !dataDir;
    this.dataDir = dataDir ?? mkdtempSync(join(tmpdir(), 'machi-test-'));
    this.port = port;
    this.args = args;
    this.stderr = '';
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start() {
    if (!this.port) this.port = await freePort();
    this.proc = spawn(BIN, ['serve', '--port', String(this.port), '--data', this.dataDir, ...this.args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.proc.stderr.on('data', (chunk) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    const deadline = Date.now() + 15000;
    while (Date.now() < deadline) {
      try {
        const r = await fetch(`${this.base}/health`);
        if (r.status === 200) return this;
      } catch {
        // not listening yet
      }
      if (this.proc.exitCode !== null) throw new Error(`machi exited early: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`machi did not become healthy: ${this.stderr}`);
  }

  // SIGTERM and wait; returns the exit status.
  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return this.exited;
    this.proc.kill('SIGTERM');
    return this.exited;
  }

  async kill() {
    this.proc.kill('SIGKILL');
    return this.exited;
  }

  cleanup() {
    if (this.ownsData) rmSync(this.dataDir, { recursive: true, force: true });
  }

  // fetch relative to /ngsi-ld/v1 (or an absolute path starting with '/').
  async request(method, path, { body, headers = {}, contentType } = {}) {
    const url = path.startsWith('/') && !path.startsWith('/ngsi-ld') && !path.startsWith('/health')
      ? `${this.base}/ngsi-ld/v1${path}`
      : `${this.base}${path}`;
    const h = { ...headers };
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['Content-Type'] = contentType ?? h['Content-Type'] ?? 'application/json';
    }
    const response = await fetch(url, { method, headers: h, body: payload });
    const text = await response.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  get(path, options) {
    return this.request('GET', path, options);
  }
  post(path, body, options = {}) {
    return this.request('POST', path, { ...options, body });
  }
  patch(path, body, options = {}) {
    return this.request('PATCH', path, { ...options, body });
  }
  put(path, body, options = {}) {
    return this.request('PUT', path, { ...options, body });
  }
  delete(path, options) {
    return this.request('DELETE', path, options);
  }
}

export function linkHeader(url) {
  return `<${url}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;
}

export const enc = encodeURIComponent;
