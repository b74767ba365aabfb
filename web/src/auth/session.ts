// The signed-in session as kept in sessionStorage (this tab only, gone when
// it closes): the bearer token, when it expires, the name typed at sign-in
// and what GET /machi/v1/auth/me said. Pure: storage is passed in.
//
// tests/e2e/lib/session.mjs writes the same shape to start a page signed in.

export const SESSION_KEY = 'machi.session';
// A token is dropped this long before it expires, so that no request
// leaves with a token that dies on the way.
export const EXPIRY_MARGIN_MS = 30_000;

// GET /machi/v1/auth/me (src/api/json_io.cc principal_json).
export interface Me {
  kind: 'account' | 'client' | 'anonymous';
  tenant: string;
  accountId?: string;
  clientId?: string;
  displayName?: string;
  roles: string[];
  subject?: string;
  wards: string[];
  grants?: string[];
  issuer?: string;
}

export interface Session {
  token: string;
  expiresAt: number; // epoch ms
  username: string;
  user?: Me;
}

// POST /machi/v1/auth/token (RFC 6749 section 5.1).
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
}

export function sessionFromToken(response: TokenResponse, username: string, now: number): Session {
  return { token: response.access_token, expiresAt: now + response.expires_in * 1000, username };
}

export function isLive(session: Session | null, now: number): session is Session {
  return !!session && session.expiresAt - EXPIRY_MARGIN_MS > now;
}

function isSession(value: unknown): value is Session {
  if (!value || typeof value !== 'object') return false;
  const s = value as Record<string, unknown>;
  return typeof s['token'] === 'string' && s['token'] !== '' && typeof s['expiresAt'] === 'number' && typeof s['username'] === 'string';
}

/** The stored session, or null when there is none, it is malformed or it expired. */
export function readSession(storage: Pick<Storage, 'getItem'> | null, now: number): Session | null {
  let text: string | null = null;
  try {
    text = storage?.getItem(SESSION_KEY) ?? null;
  } catch {
    return null; // storage disabled
  }
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return isSession(value) && isLive(value, now) ? value : null;
  } catch {
    return null;
  }
}

export function writeSession(storage: Pick<Storage, 'setItem' | 'removeItem'> | null, session: Session | null): void {
  try {
    if (session) storage?.setItem(SESSION_KEY, JSON.stringify(session));
    else storage?.removeItem(SESSION_KEY);
  } catch {
    // storage disabled: the session lasts for this page only
  }
}

export function displayNameOf(session: Session): string {
  return session.user?.displayName || session.username;
}

export function hasRole(session: Session | null, role: string): boolean {
  return !!session?.user?.roles.includes(role);
}

/**
 * Where to go after signing in: only a path of this app (no other origin,
 * no protocol-relative URL, not the sign-in page itself); else home.
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  // Browsers read backslashes as slashes and drop control characters: either could reach another origin.
  if (/[\u0000-\u001f\\]/.test(next)) return '/';
  if (/^\/login(?:[/?#]|$)/.test(next)) return '/';
  if (/^\/(?:ngsi-ld|machi)\//.test(next)) return '/';
  return next;
}

/** The sign-in page, coming back to `next` (a path with its query). */
export function loginPath(next?: string): string {
  const target = safeNext(next);
  return target === '/' ? '/login' : `/login?next=${encodeURIComponent(target)}`;
}
