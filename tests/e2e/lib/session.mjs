// How tests and benchmarks get access to a running machi: the one place for
// credentials. Everything that talks to a server goes through here: the
// browser contexts of the e2e tests and of bench/web_fcp.mjs
// (prepareContext), and Node-side API calls (apiHeaders).
//
// Every API endpoint needs a bearer token from the OAuth 2.0 token
// endpoint (POST /machi/v1/auth/token, password grant). `machi demo` has
// one account per role: the user name is the role's name, the password
// "<role>-demo" (src/sim/demo_society.cc). signIn gets a token for one of
// them (DEFAULT_ACCOUNT unless told); prepareContext hands it to a browser
// context the way the web app keeps it, so that pages open signed in
// without going through the sign-in page (tests that exercise that page
// start signed out: { session: null }).

export const ROLES = ['resident', 'city_staff', 'coordinator', 'ethics_member', 'auditor', 'provider', 'consumer', 'admin'];

/** The demo accounts by role: { username, password }. */
export const ACCOUNTS = Object.freeze(
  Object.fromEntries(ROLES.map((role) => [role, Object.freeze({ username: role, password: `${role}-demo` })])),
);

// The account the tests browse the hub with: the city's own staff.
export const DEFAULT_ACCOUNT = ACCOUNTS.city_staff;

// Where the web app keeps its session (web/src/auth/session.ts): sessionStorage,
// JSON { token, expiresAt (epoch ms), username, user? }.
export const SESSION_KEY = 'machi.session';

// Extra environment for the machi process a test starts. `machi serve`
// creates the administrator "admin" on first start with this password;
// `machi demo` seeds its own "admin" first with the same one.
export function serverEnv() {
  return { MACHI_ADMIN_PASSWORD: ACCOUNTS.admin.password };
}

// When each token handed out here expires, for the browser's session.
const issued = new Map();

/** POST /machi/v1/auth/token; the raw answer { status, headers, json }. */
export async function requestToken(server, { username, password }) {
  const body = new URLSearchParams({ grant_type: 'password', username, password }).toString();
  const response = await fetch(`${server.base}/machi/v1/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body,
  });
  return { status: response.status, headers: response.headers, json: await response.json().catch(() => undefined) };
}

/** A bearer token of account (DEFAULT_ACCOUNT unless given) for server ({ base }). */
export async function signIn(server, account = DEFAULT_ACCOUNT) {
  const r = await requestToken(server, account);
  if (r.status !== 200 || typeof r.json?.access_token !== 'string') {
    throw new Error(`sign-in of ${account.username} at ${server.base} failed: ${r.status} ${JSON.stringify(r.json)}`);
  }
  issued.set(r.json.access_token, { username: account.username, expiresAt: Date.now() + r.json.expires_in * 1000 });
  return r.json.access_token;
}

/** Headers for fetch() calls from Node to the server's API. */
export function apiHeaders(server, token = server?.token) {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** The web app's stored session for a token signIn handed out. */
export function browserSession(token) {
  const known = issued.get(token);
  return JSON.stringify({ token, expiresAt: known?.expiresAt ?? Date.now() + 10 * 60 * 1000, username: known?.username ?? 'e2e' });
}

/**
 * Readies a fresh browser context for server before its first page opens:
 * signed in with server.token unless `session` says otherwise (null:
 * signed out; a token string: that token's session).
 */
export async function prepareContext(context, server, { session = server?.token ?? null } = {}) {
  if (!session) return;
  // Put the session in place once, as the sign-in page would; a test that
  // signs out stays signed out on the next page load.
  await context.addInitScript(
    ({ key, value }) => {
      const marker = 'machi.e2e.seeded';
      if (window.sessionStorage.getItem(marker)) return;
      window.sessionStorage.setItem(marker, '1');
      window.sessionStorage.setItem(key, value);
    },
    { key: SESSION_KEY, value: browserSession(session) },
  );
}
