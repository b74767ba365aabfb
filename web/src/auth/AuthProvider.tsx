// The session for the components: who is signed in, sign in, sign out.
// On start it asks the server who the stored token belongs to (a 401 there
// ends the session like any other); the session ends by itself when the
// token expires.
import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { getMe, requestToken, revokeToken } from '../api/machi';
import { EXPIRY_MARGIN_MS, sessionFromToken, type Me, type Session } from './session';
import { getSession, setSession, subscribe } from './store';

export interface Auth {
  session: Session | null;
  // Throws ApiError when the server refuses (wrong password, too many tries).
  signIn: (username: string, password: string) => Promise<Session>;
  signOut: () => Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

// setTimeout's longest delay.
const MAX_DELAY_MS = 2 ** 31 - 1;

export function AuthProvider({ children }: { children: ComponentChildren }) {
  const [session, setState] = useState<Session | null>(getSession);
  useEffect(() => subscribe(setState), []);

  // Refresh who the stored token belongs to (name, roles) once per page load.
  useEffect(() => {
    const start = getSession();
    if (!start) return;
    getMe().then(
      (user) => {
        const now = getSession();
        if (now && now.token === start.token) setSession({ ...now, user });
      },
      () => {
        // 401: the store already ended the session; anything else: keep the stored name.
      },
    );
  }, []);

  const token = session?.token;
  const expiresAt = session?.expiresAt;
  useEffect(() => {
    if (!token || expiresAt === undefined) return;
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, expiresAt - EXPIRY_MARGIN_MS - Date.now()));
    const timer = setTimeout(() => setSession(null, 'expired'), delay);
    return () => clearTimeout(timer);
  }, [token, expiresAt]);

  const signIn = useCallback(async (username: string, password: string) => {
    const issued = sessionFromToken(await requestToken(username, password), username, Date.now());
    let user: Me | undefined;
    try {
      user = await getMe(issued.token);
    } catch {
      // The name typed stands in for the display name.
    }
    const next = user ? { ...issued, user } : issued;
    setSession(next);
    return next;
  }, []);

  const signOut = useCallback(async () => {
    const current = getSession();
    if (current) {
      try {
        await revokeToken(current.token);
      } catch {
        // Already expired or revoked, or the server is away: forget it here all the same.
      }
    }
    setSession(null, 'signedOut');
  }, []);

  const value = useMemo<Auth>(() => ({ session, signIn, signOut }), [session, signIn, signOut]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}
