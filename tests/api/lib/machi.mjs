// Starts a real machi server on a free port with a fresh data directory,
// and offers small helpers for talking NGSI-LD to it over HTTP.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BIN = process.env.MACHI_BIN ?? new URL('../../../build/machi', import.meta.url).pathname;
// The default tenant's first administrator, created by machi on first start
// from MACHI_ADMIN_PASSWORD.
export const ADMIN_PASSWORD = 'admin-test-password-1';
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

// The tests' receivers, providers and brokers listen on loopback, which
// machi refuses to call by default (--outbound-allow, docs/operations.md);
// outboundAllow: null starts machi with that default.
export const TEST_OUTBOUND_ALLOW = '127.0.0.0/8,::1/128';

export class Machi {
  constructor({ dataDir, port, args = [], outboundAllow = TEST_OUTBOUND_ALLOW } = {}) {
    this.ownsData = !dataDir;
    this.dataDir = dataDir ?? mkdtempSync(join(tmpdir(), 'machi-test-'));
    this.port = port;
    this.args = outboundAllow ? ['--outbound-allow', outboundAllow, ...args] : args;
    this.stderr = '';
    this.tokens = new Map(); // tenant -> admin bearer token
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start() {
    if (!this.port) this.port = await freePort();
    this.proc = spawn(BIN, ['serve', '--port', String(this.port), '--data', this.dataDir, ...this.args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, MACHI_ADMIN_PASSWORD: ADMIN_PASSWORD },
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

  // OAuth 2.0 token endpoint: returns the raw response.
  async login(username, password, tenant = '') {
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
    if (tenant) headers['NGSILD-Tenant'] = tenant;
    const body = new URLSearchParams({ grant_type: 'password', username, password }).toString();
    const r = await fetch(`${this.base}/machi/v1/auth/token`, { method: 'POST', headers, body });
    return { status: r.status, json: await r.json().catch(() => undefined) };
  }

  // A bearer token of the tenant's administrator. A tenant other than the
  // default one is created on first use by the default administrator (its
  // administrator gets the same password); when that is refused (say, an
  // invalid tenant name), the default tenant's token is returned, so that
  // the request itself meets the server's verdict.
  // Concurrent callers share one login (the server rate-limits logins).
  adminToken(tenant = '') {
    if (!this.tokens.has(tenant)) {
      const pending = this.#adminLogin(tenant);
      this.tokens.set(tenant, pending);
      pending.catch(() => this.tokens.delete(tenant));
    }
    return this.tokens.get(tenant);
  }

  async #adminLogin(tenant) {
    if (tenant !== '') {
      const created = await this.request('POST', '/machi/v1/tenants', {
        body: { name: tenant, admin: { username: 'admin', password: ADMIN_PASSWORD } },
      });
      if (created.status !== 201 && created.status !== 409) return this.adminToken('');
    }
    const r = await this.login('admin', ADMIN_PASSWORD, tenant);
    if (r.status !== 200) throw new Error(`admin login for tenant '${tenant}' failed: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json.access_token;
  }

  // { Authorization: 'Bearer ...' } of the tenant's administrator, for
  // tests that call fetch() or write raw HTTP themselves.
  async authHeaders(tenant = '') {
    return { Authorization: `Bearer ${await this.adminToken(tenant)}` };
  }

  // fetch relative to /ngsi-ld/v1 (or an absolute path starting with '/',
  // e.g. /machi/..., /v2/..., /iot/...).
  // Requests carry the administrator's token of the addressed tenant unless
  // `auth` says otherwise: false sends no credentials, a string uses the
  // token of that tenant, and an Authorization header is sent as given.
  async request(method, path, { body, headers = {}, contentType, auth } = {}) {
    const url = path.startsWith('/') && !path.startsWith('/ngsi-ld') && !path.startsWith('/health') &&
        !path.startsWith('/machi') && path !== '/v2' && !path.startsWith('/v2/') && !path.startsWith('/iot/')
      ? `${this.base}/ngsi-ld/v1${path}`
      : `${this.base}${path}`;
    const h = { ...headers };
    const hasAuthorization = Object.keys(h).some((k) => k.toLowerCase() === 'authorization');
    if (auth !== false && !hasAuthorization) {
      const tenantKey = Object.keys(h).find((k) => k.toLowerCase() === 'ngsild-tenant');
      const tenant = typeof auth === 'string' ? auth : (tenantKey ? h[tenantKey] : '');
      h.Authorization = `Bearer ${await this.adminToken(tenant)}`;
    }
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
