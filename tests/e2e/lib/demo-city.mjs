// The generated demo city for the UI tests: `machi demo` on a free port and a
// fresh data directory, serving web/dist, and small helpers that ask its API
// what the pages should show.
//
// `machi demo` generates the city before it starts serving, so readiness is
// GET /health answering, then the demo-city marker entity (written last).
// The full city (20,000 residents, 30 days of sensor history, about 1.9
// million history points) takes from ~8 s on a quiet machine to a minute
// under CI load; the tests need neither, so they default to fewer residents
// and two days of history (MACHI_E2E_RESIDENTS, MACHI_E2E_HISTORY_DAYS).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, freePort } from '../../api/lib/machi.mjs';
import { apiHeaders, serverEnv, signIn } from './session.mjs';

export const DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));
export const MARKER_ID = 'urn:ngsi-ld:SyntheticDataset:demo-city';
export const MARKER_NAME = 'デモ市 合成データ';
// The 12 elementary-school districts (小学校区) of デモ市, src/sim/place_names.cc.
export const DISTRICT_NAMES = ['中央', '本町', '東', '緑が丘', '桜台', '青葉台', '西', '若葉', '旭', '富士見', '川端', '南'].map(
  (school) => `${school}小学校区`,
);

const NGSI = '/ngsi-ld/v1';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class DemoCity {
  constructor({
    residents = Number(process.env.MACHI_E2E_RESIDENTS ?? 2000),
    historyDays = Number(process.env.MACHI_E2E_HISTORY_DAYS ?? 2),
    web = DIST,
  } = {}) {
    this.residents = residents;
    this.historyDays = historyDays;
    this.web = web;
    this.dataDir = mkdtempSync(join(tmpdir(), 'machi-e2e-demo-'));
    this.stderr = '';
    this.token = null;
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start({ timeoutMs = Number(process.env.MACHI_E2E_START_TIMEOUT_MS ?? 180000), log = console.log } = {}) {
    if (!existsSync(`${this.web}index.html`)) throw new Error(`${this.web} is missing: run bash web/build.sh (tests/e2e/run.sh does)`);
    this.port = await freePort();
    const args = ['demo', '--host', '127.0.0.1', '--port', String(this.port), '--data', this.dataDir, '--web', this.web,
      '--residents', String(this.residents), '--history-days', String(this.historyDays)];
    const started = performance.now();
    this.proc = spawn(BIN, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...serverEnv() } });
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (chunk) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    const deadline = Date.now() + timeoutMs;
    const waitFor = async (what, ready) => {
      while (Date.now() < deadline) {
        try {
          if (await ready()) return;
        } catch {
          // not listening yet
        }
        if (this.proc.exitCode !== null) throw new Error(`machi demo exited while waiting for ${what}:\n${this.stderr}`);
        await sleep(100);
      }
      throw new Error(`machi demo: no ${what} within ${timeoutMs / 1000} s:\n${this.stderr}`);
    };
    await waitFor('/health', async () => (await fetch(`${this.base}/health`)).status === 200);
    this.token = await signIn(this);
    await waitFor('demo-city marker', async () => (await this.get(`/entities/${encodeURIComponent(MARKER_ID)}`)).status === 200);
    this.startSeconds = (performance.now() - started) / 1000;
    const report = this.stderr.split('\n').find((l) => l.includes('generated デモ市')) ?? '';
    log(`e2e: machi demo (${this.residents} residents, ${this.historyDays} days of history) served デモ市 at ${this.base} ` +
      `after ${this.startSeconds.toFixed(1)} s\n${report}`);
    return this;
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return this.exited;
    this.proc.kill('SIGTERM');
    return this.exited;
  }

  cleanup() {
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  // GET relative to /ngsi-ld/v1 (or an absolute path from '/').
  async get(path, accept = 'application/json') {
    const url = `${this.base}${path.startsWith(NGSI) || path.startsWith('/health') ? '' : NGSI}${path}`;
    const response = await fetch(url, { headers: { Accept: accept, ...apiHeaders(this) } });
    const text = await response.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  async getOk(path, accept) {
    const r = await this.get(path, accept);
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.text}`);
    return r;
  }

  // Entities matching params (type, q, idPattern, limit, offset) as keyValues,
  // with the total from NGSILD-Results-Count.
  async query(params = {}) {
    const query = Object.entries({ limit: 1000, ...params, count: true, options: 'keyValues' })
      .filter(([, v]) => v !== undefined && v !== '')
      .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
      .join('&');
    const r = await this.getOk(`/entities?${query}`);
    return { entities: r.json, total: Number(r.headers.get('NGSILD-Results-Count')) };
  }

  // Every entity matching params, 1,000 a request.
  async all(params = {}) {
    const out = [];
    for (let offset = 0; ; offset += 1000) {
      const { entities, total } = await this.query({ ...params, limit: 1000, offset });
      out.push(...entities);
      if (entities.length < 1000 || out.length >= total) return out;
    }
  }

  async count(params = {}) {
    return (await this.query({ ...params, limit: 0 })).total;
  }

  async types() {
    return (await this.getOk('/types')).json.typeList;
  }

  // The one entity of type with exactly this name.
  async byName(type, name) {
    const { entities } = await this.query({ type, q: `name==${JSON.stringify(name)}` });
    if (entities.length !== 1) throw new Error(`${entities.length} ${type} entities named ${name}`);
    return entities[0];
  }
}

// The q term the explorer sends for its free-text field (web/src/api/query.ts).
export function containsQ(attribute, text) {
  const pattern = `(?i).*${text.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*`;
  return `${attribute}~="${pattern.replace(/"/g, '\\"')}"`;
}
