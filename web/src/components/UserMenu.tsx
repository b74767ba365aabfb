// The header's account area: who is signed in and a sign-out button, or
// the way to sign in.
import { useState } from 'preact/hooks';
import { navigate, useLocation } from '../app/history';
import { usePreferences } from '../app/preferences';
import { useAuth } from '../auth/AuthProvider';
import { displayNameOf, loginPath } from '../auth/session';

export function UserMenu() {
  const { t } = usePreferences();
  const { session, signOut } = useAuth();
  const { path, search } = useLocation();
  const [busy, setBusy] = useState(false);

  if (!session) {
    if (path === '/login') return null;
    return (
      <a class="button button--quiet" href={loginPath(path + search)} data-testid="header-sign-in">
        {t('auth.signIn')}
      </a>
    );
  }
  const onSignOut = async () => {
    if (busy) return;
    setBusy(true);
    try {
      await signOut();
    } finally {
      setBusy(false);
    }
    navigate('/login?signedout=1');
  };
  return (
    <div class="user-menu" role="group" aria-label={t('auth.account')}>
      <span class="user-menu__name" data-testid="user-name">
        {t('auth.signedInAs', { name: displayNameOf(session) })}
      </span>
      <button type="button" class="button button--quiet" onClick={onSignOut} aria-disabled={busy ? 'true' : undefined} data-testid="sign-out">
        {t('auth.signOut')}
      </button>
    </div>
  );
}
