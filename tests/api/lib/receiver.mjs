// A real local HTTP receiver of NGSI-LD notifications: records every POST
// (headers and parsed body), answers a chosen status, and can go down and
// come back on the same port (a receiver outage).
import { createServer } from 'node:http';

import { freePort } from './machi.mjs';

export class Receiver {
  constructor() {
    this.received = []; // {path, headers, body, at}
    this.status = 204;
    this.waiters = [];
  }

  async start(port) {
    this.port = port ?? this.port ?? (await freePort());
    this.server = createServer((req, res) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => { text += chunk; });
      req.on('end', () => {
        let body;
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
        if (this.status >= 200 && this.status < 300) {
          this.received.push({ path: req.url, headers: req.headers, body, at: Date.now() });
          for (const w of this.waiters.splice(0)) w();
        }
        res.writeHead(this.status).end();
      });
    });
    this.server.keepAliveTimeout = 1000;
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', resolve);
    });
    return this;
  }

  async stop() {
    if (!this.server) return;
    const s = this.server;
    this.server = undefined;
    s.closeAllConnections?.();
    await new Promise((resolve) => s.close(resolve));
  }

  url(path = '/notify') {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  // Notifications (bodies) sent to a path.
  at(path) {
    return this.received.filter((r) => r.path === path);
  }

  // Waits until predicate(received) holds, or fails after timeoutMs.
  async until(predicate, timeoutMs = 10000, what = 'notifications') {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.received)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.received.map((r) => [r.path, r.body?.data?.map((e) => e.id)]))}`);
      await new Promise((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
    return this.received;
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
