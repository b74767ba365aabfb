import { describe, expect, it } from 'vitest';
import { displayNameOf, hasRole, loginPath, readSession, safeNext, sessionFromToken, SESSION_KEY, writeSession, type Session } from './session';

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, v),
    removeItem: (k: string) => void items.delete(k),
    items,
  };
}

describe('session', () => {
  const now = 1_800_000_000_000;
  const session = sessionFromToken({ access_token: 'tok', token_type: 'Bearer', expires_in: 3600 }, 'resident', now);

  it('comes from the token response with its expiry', () => {
    expect(session).toEqual({ token: 'tok', expiresAt: now + 3_600_000, username: 'resident' });
  });

  it('is kept in storage until it expires', () => {
    const storage = memoryStorage();
    writeSession(storage, session);
    expect(readSession(storage, now)).toEqual(session);
    expect(readSession(storage, now + 3_600_000 - 31_000)).toEqual(session);
    expect(readSession(storage, now + 3_600_000 - 29_000)).toBeNull(); // within the margin
    writeSession(storage, null);
    expect(storage.items.has(SESSION_KEY)).toBe(false);
    expect(readSession(storage, now)).toBeNull();
  });

  it('ignores malformed storage', () => {
    const storage = memoryStorage();
    for (const text of ['not json', '{}', '{"token":"","expiresAt":1,"username":"x"}', '{"token":"t","expiresAt":"soon","username":"x"}']) {
      storage.setItem(SESSION_KEY, text);
      expect(readSession(storage, now), text).toBeNull();
    }
    expect(readSession(null, now)).toBeNull();
    const throwing = { getItem: () => { throw new Error('disabled'); } };
    expect(readSession(throwing, now)).toBeNull();
  });

  it('names the user and knows the roles', () => {
    const user = { kind: 'account' as const, tenant: '', displayName: '山田 花子', roles: ['resident'], wards: [] };
    const withUser: Session = { ...session, user };
    expect(displayNameOf(session)).toBe('resident');
    expect(displayNameOf(withUser)).toBe('山田 花子');
    expect(hasRole(withUser, 'resident')).toBe(true);
    expect(hasRole(withUser, 'admin')).toBe(false);
    expect(hasRole(session, 'resident')).toBe(false);
    expect(hasRole(null, 'resident')).toBe(false);
  });
});

describe('where to go after signing in', () => {
  it('accepts paths of this app only', () => {
    expect(safeNext('/me/access-log')).toBe('/me/access-log');
    expect(safeNext('/explorer?type=District&page=2')).toBe('/explorer?type=District&page=2');
    for (const bad of [null, undefined, '', 'https://evil.example/', '//evil.example/x', '/\\evil.example', '/x\\y', 'javascript:alert(1)', '/login', '/login?next=/x', '/machi/v1/auth/me', '/ngsi-ld/v1/entities', '/a\nb']) {
      expect(safeNext(bad), String(bad)).toBe('/');
    }
    expect(safeNext('/loginx')).toBe('/loginx');
  });

  it('builds the sign-in link', () => {
    expect(loginPath('/me/access-log')).toBe('/login?next=%2Fme%2Faccess-log');
    expect(loginPath('/explorer?type=A&q=x%3D1')).toBe('/login?next=%2Fexplorer%3Ftype%3DA%26q%3Dx%253D1');
    expect(loginPath('/')).toBe('/login');
    expect(loginPath('/login?next=/x')).toBe('/login');
    expect(loginPath()).toBe('/login');
  });
});
