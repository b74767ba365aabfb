// docs/openapi.yaml against the server: every /health, /machi/v1 and /iot route
// that `machi routes` prints must be documented, nothing may be documented
// that the server does not have, and each operation's x-machi-roles (or
// x-machi-public) must match the endpoint policy table in
// src/api/endpoint_policy.cc, as must the role table in docs/accounts.md.
// No server is started:
//   MACHI_BIN=build/machi node --test tests/api/openapi.test.mjs
//
// The repository has no YAML package, so the paths are read with a small
// line-based extractor. It relies on the layout docs/openapi.yaml uses:
// `paths:` at column 0, path keys at 2 spaces, method keys at 4 spaces, and
// the extensions `x-machi-roles: [a, b]` / `x-machi-public: true` as one
// line at 6 spaces inside an operation.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { BIN } from './lib/machi.mjs';

const OPENAPI = new URL('../../docs/openapi.yaml', import.meta.url);
const POLICY = new URL('../../src/api/endpoint_policy.cc', import.meta.url);
const ACCOUNTS = new URL('../../docs/accounts.md', import.meta.url);
const ROLES = ['resident', 'city_staff', 'coordinator', 'ethics_member', 'auditor', 'provider', 'consumer', 'admin'];
const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);

// "/machi/v1/accounts/{id}" -> "/machi/v1/accounts/{}": parameter names may
// differ between the router and the document.
const shape = (path) => path.replace(/\{[^}/]*\}/g, '{}');
const key = (method, path) => `${method.toUpperCase()} ${shape(path)}`;
const isMachi = (path) => path === '/health' || path.startsWith('/machi/v1/') || path.startsWith('/iot/');

function serverRoutes() {
  const text = execFileSync(BIN, ['routes'], { encoding: 'utf8' });
  const routes = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [method, path] = line.split(/\s+/);
      return { method, path };
    });
  assert.ok(routes.length > 0, `${BIN} routes printed nothing`);
  return routes;
}

function unquote(text) {
  const t = text.trim();
  if ((t.startsWith("'") && t.endsWith("'")) || (t.startsWith('"') && t.endsWith('"'))) return t.slice(1, -1);
  return t;
}

// A one-line YAML flow sequence of plain or quoted scalars: [a, 'b', "c"].
function flowList(text) {
  const t = text.trim();
  if (!t.startsWith('[') || !t.endsWith(']')) return null;
  const inner = t.slice(1, -1).trim();
  return inner ? inner.split(',').map(unquote) : [];
}

// {"METHOD /path": {path, method, line, roles?, public?}} for every
// operation under `paths:`.
function documentedOperations(yamlText) {
  const lines = yamlText.replace(/\r\n?/g, '\n').split('\n');
  const ops = new Map();
  let inPaths = false;
  let path = null;
  let op = null;
  lines.forEach((raw, i) => {
    const line = raw.replace(/\s+#.*$/, '').replace(/^#.*$/, '');
    if (!line.trim()) return;
    const indent = line.length - line.trimStart().length;
    if (indent === 0) {
      inPaths = /^paths:\s*$/.test(line);
      path = null;
      op = null;
      return;
    }
    if (!inPaths) return;
    if (indent === 2) {
      const m = /^ {2}(['"]?)(\/[^'"]*?)\1:\s*$/.exec(line);
      assert.ok(m, `docs/openapi.yaml line ${i + 1}: expected a path key under paths:, got ${JSON.stringify(raw)}`);
      path = m[2];
      op = null;
      return;
    }
    if (indent === 4) {
      const m = /^ {4}([a-z]+):/.exec(line);
      op = null;
      if (path && m && METHODS.has(m[1])) {
        const k = key(m[1], path);
        assert.ok(!ops.has(k), `docs/openapi.yaml line ${i + 1}: ${k} is documented twice`);
        op = { path, method: m[1].toUpperCase(), line: i + 1 };
        ops.set(k, op);
      }
      return;
    }
    if (indent === 6 && op) {
      let m = /^ {6}x-machi-roles:(.*)$/.exec(line);
      if (m) {
        op.roles = flowList(m[1]);
        assert.ok(op.roles, `docs/openapi.yaml line ${i + 1}: write x-machi-roles as one line, [a, b]`);
        return;
      }
      m = /^ {6}x-machi-public:\s*(\S+)\s*$/.exec(line);
      if (m) op.public = m[1] === 'true';
    }
  });
  return ops;
}

// {"METHOD /path": {public: bool, roles: [names]}} from the C++ table.
function policyTable() {
  const source = readFileSync(POLICY, 'utf8');
  const roleName = (cpp) =>
    cpp
      .trim()
      .replace(/^Role::k/, '')
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .toLowerCase();
  const parseSet = (text) =>
    text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map(roleName);
  const sets = new Map();
  for (const m of source.matchAll(/const\s+RoleSet\s+(\w+)\s*\{([^}]*)\}\s*;/g)) sets.set(m[1], parseSet(m[2]));
  const rows = new Map();
  const rowRe = /\{\s*"([A-Z]+)"\s*,\s*"([^"]+)"\s*,\s*(open\(\)|roles\(\s*(\{[^}]*\}|\w+)\s*\))\s*\}/g;
  for (const m of source.matchAll(rowRe)) {
    const [, method, path, access, arg] = m;
    let roles = [];
    if (access !== 'open()') {
      if (arg.startsWith('{')) {
        roles = parseSet(arg.slice(1, -1));
      } else {
        assert.ok(sets.has(arg), `endpoint_policy.cc: role set ${arg} is not defined as "const RoleSet ${arg}{...};"`);
        roles = sets.get(arg);
      }
    }
    rows.set(key(method, path), { public: access === 'open()', roles });
  }
  assert.ok(
    rows.size > 0,
    'no rows read from src/api/endpoint_policy.cc; if its table changed form, update policyTable() in this test',
  );
  return rows;
}

const sorted = (list) => [...list].sort();

test('docs/openapi.yaml is OpenAPI 3.1 and the extractor finds its operations', () => {
  const text = readFileSync(OPENAPI, 'utf8');
  assert.match(text, /^openapi:\s*['"]?3\.1\.\d+/m);
  const ops = documentedOperations(text);
  assert.ok(ops.has('GET /health'), 'GET /health is not documented');
  assert.ok(ops.size > 10, `only ${ops.size} operations found: is paths: laid out as the extractor expects?`);
});

test('every /health, /machi/v1 and /iot route of the server is documented', () => {
  const ops = documentedOperations(readFileSync(OPENAPI, 'utf8'));
  const missing = serverRoutes()
    .filter((r) => isMachi(r.path))
    .map((r) => `${r.method} ${r.path}`)
    .filter((k) => !ops.has(key(...k.split(' '))));
  assert.deepEqual(missing, [], `routes missing from docs/openapi.yaml:\n  ${missing.join('\n  ')}`);
});

test('docs/openapi.yaml documents no operation the server does not have', () => {
  const served = new Set(serverRoutes().map((r) => key(r.method, r.path)));
  const ops = documentedOperations(readFileSync(OPENAPI, 'utf8'));
  const extra = [...ops.values()]
    .filter((op) => !served.has(key(op.method, op.path)))
    .map((op) => `${op.method} ${op.path} (line ${op.line})`);
  assert.deepEqual(extra, [], `documented but not served:\n  ${extra.join('\n  ')}`);
});

test('x-machi-roles and x-machi-public match src/api/endpoint_policy.cc', () => {
  const policy = policyTable();
  const ops = documentedOperations(readFileSync(OPENAPI, 'utf8'));
  const problems = [];
  for (const [k, op] of ops) {
    const row = policy.get(k);
    const where = `${op.method} ${op.path} (line ${op.line})`;
    if (!row) {
      problems.push(`${where}: no row in the endpoint policy (denied to everyone)`);
      continue;
    }
    if (row.public) {
      if (op.public !== true) problems.push(`${where}: public in the policy; document x-machi-public: true`);
      if (op.roles?.length) problems.push(`${where}: public in the policy; remove x-machi-roles`);
      continue;
    }
    if (op.public) problems.push(`${where}: not public in the policy; remove x-machi-public`);
    if (!op.roles) {
      problems.push(`${where}: no x-machi-roles (policy: [${row.roles.join(', ')}])`);
    } else if (JSON.stringify(sorted(op.roles)) !== JSON.stringify(sorted(row.roles))) {
      problems.push(`${where}: x-machi-roles [${op.roles.join(', ')}], policy [${row.roles.join(', ')}]`);
    }
  }
  assert.deepEqual(problems, [], `docs/openapi.yaml disagrees with the endpoint policy:\n  ${problems.join('\n  ')}`);
});

// docs/accounts.md: | METHOD | `path` | anyone | one column per role, in ROLES order |
test('the role table in docs/accounts.md matches src/api/endpoint_policy.cc', () => {
  const policy = policyTable();
  const documented = new Map();
  for (const line of readFileSync(ACCOUNTS, 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length !== 3 + 2 + ROLES.length || !/^[A-Z]+$/.test(cells[1])) continue;
    const path = cells[2].replace(/^`|`$/g, '');
    const ticked = cells.slice(4, 4 + ROLES.length).map((c) => c === '✓');
    documented.set(key(cells[1], path), {
      public: cells[3] === '✓',
      roles: ROLES.filter((r, i) => ticked[i]),
    });
  }
  assert.ok(documented.size > 0, 'no role table found in docs/accounts.md');
  const problems = [];
  for (const [k, row] of policy) {
    const doc = documented.get(k);
    // A public endpoint is ticked for "anyone" and for every role.
    const expected = row.public ? ROLES : row.roles;
    const describe = (pub, roles) => (pub ? 'anyone' : `[${roles.join(', ')}]`);
    if (!doc) {
      problems.push(`${k}: missing`);
    } else if (doc.public !== row.public || JSON.stringify(sorted(doc.roles)) !== JSON.stringify(sorted(expected))) {
      problems.push(`${k}: table says ${describe(doc.public, doc.roles)}, policy ${describe(row.public, row.roles)}`);
    }
  }
  for (const k of documented.keys()) if (!policy.has(k)) problems.push(`${k}: in the table but not in the policy`);
  const list = problems.join('\n  ');
  assert.deepEqual(problems, [], `docs/accounts.md role table disagrees with the endpoint policy:\n  ${list}`);
});
