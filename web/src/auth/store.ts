// The one signed-in session of this tab, in memory and in sessionStorage,
// with listeners (the header, the route view). The API layer asks it for
// the token; a 401 from the API ends the session and goes to the sign-in
// page.
import { navigate } from '../app/history';
import { isLive, loginPath, readSession, writeSession, type Session } from './session';

export type EndReason = 'signedOut' | 'expired' | 'rejected';

type Listener = (session: Session | null) => void;

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

let current: Session | null = null;
let loaded = false;
let endReason: EndReason | null = null;
const listeners = new Set<Listener>();

export function getSession(): Session | null {
  if (!loaded) {
    current = readSession(storage(), Date.now());
    loaded = true;
  }
  return current;
}

export function setSession(session: Session | null, reason: EndReason | null = null): void {
  loaded = true;
  current = session;
  endReason = session ? null : reason;
  writeSession(storage(), session);
  for (const listener of listeners) listener(session);
}

/** Why the last session ended (for the sign-in page and the sign-in prompts). */
export function lastEndReason(): EndReason | null {
  return endReason;
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The bearer token, while it is valid. */
export function currentToken(): string | null {
  const session = getSession();
  if (!session) return null;
  if (!isLive(session, Date.now())) {
    setSession(null, 'expired');
    return null;
  }
  return session.token;
}

/** A request was refused for want of valid credentials: sign in again, then come back. */
export function handleUnauthorized(): void {
  setSession(null, 'rejected');
  const { pathname, search } = window.location;
  if (pathname === '/login') return;
  navigate(loginPath(pathname + search), { replace: true });
}
