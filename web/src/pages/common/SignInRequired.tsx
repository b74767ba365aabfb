// What a page that needs a session shows without one: its title and the
// way to sign in (coming back here afterwards); and what a page for some
// roles shows to an account without them.
import { useLocation } from '../../app/history';
import { usePreferences } from '../../app/preferences';
import { loginPath } from '../../auth/session';
import { lastEndReason } from '../../auth/store';
import type { MessageKey } from '../../i18n/ja';
import { roleLabel } from '../../i18n/roles';

export function SignInLink({ label }: { label?: string }) {
  const { t } = usePreferences();
  const { path, search } = useLocation();
  return (
    <a class="button button--primary" href={loginPath(path + search)} data-testid="sign-in-link">
      {label ?? t('auth.signInLink')}
    </a>
  );
}

export function SignInRequired({ titleKey }: { titleKey: MessageKey }) {
  const { t } = usePreferences();
  const reason = lastEndReason();
  return (
    <div class="page page--sign-in-required">
      <h1>{t(titleKey)}</h1>
      <p class="status" role="status" data-testid="sign-in-required">
        {reason === 'expired' || reason === 'rejected' ? t('auth.expired') : t('auth.required')}
      </p>
      <p>
        <SignInLink />
      </p>
    </div>
  );
}

export function RoleRequired({ titleKey, roles }: { titleKey: MessageKey; roles: readonly string[] }) {
  const { t, locale } = usePreferences();
  return (
    <div class="page page--role-required">
      <h1>{t(titleKey)}</h1>
      <p class="status" role="status" data-testid="role-required">
        {t('auth.roleRequired', { roles: roles.map((r) => roleLabel(r, locale)).join(t('list.separator')) })}
      </p>
      <p>
        <a href="/">{t('comingSoon.backHome')}</a>
      </p>
    </div>
  );
}
