// ログイン: user name and password, exchanged for a bearer token at
// POST /machi/v1/auth/token; afterwards back to the page that sent the
// reader here (?next=). Errors are announced (role="alert").
import { useEffect, useRef, useState } from 'preact/hooks';
import { navigate } from '../../app/history';
import { usePreferences } from '../../app/preferences';
import type { PageProps } from '../../app/routes';
import { useAuth } from '../../auth/AuthProvider';
import { displayNameOf, safeNext } from '../../auth/session';
import { lastEndReason } from '../../auth/store';
import type { MessageKey } from '../../i18n/ja';
import type { Params } from '../../i18n/translate';
import { loginErrorMessage } from './loginError';

export default function LoginPage({ query }: PageProps) {
  const { t } = usePreferences();
  const { session, signIn } = useAuth();
  const next = safeNext(query.get('next'));
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [invalid, setInvalid] = useState<'username' | 'password' | 'both' | null>(null);
  const usernameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  // Why the reader is here, said once, as the page opens.
  const [notice] = useState<MessageKey | null>(() => {
    const reason = lastEndReason();
    if (query.get('signedout') === '1' || reason === 'signedOut') return 'auth.signedOut';
    if (reason === 'expired' || reason === 'rejected') return 'auth.expired';
    if (query.has('next')) return 'auth.required';
    return null;
  });
  // The last failure, kept as a message key so that it follows the language.
  const [error, setError] = useState<{ key: MessageKey; params?: Params } | null>(null);

  useEffect(() => {
    if (!session) usernameRef.current?.focus();
  }, []);

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const name = username.trim();
    if (!name || !password) {
      setInvalid(!name && !password ? 'both' : !name ? 'username' : 'password');
      setError({ key: 'login.error.missing' });
      (name ? passwordRef : usernameRef).current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    setInvalid(null);
    try {
      await signIn(name, password);
      navigate(next, { replace: true });
    } catch (failure) {
      setError(loginErrorMessage(failure));
      setInvalid('both');
      setPassword('');
      setBusy(false);
      passwordRef.current?.focus();
    }
  };

  const invalidUser = invalid === 'username' || invalid === 'both';
  const invalidPassword = invalid === 'password' || invalid === 'both';
  return (
    <div class="page page--login">
      <h1>{t('page.login.title')}</h1>
      {notice && (
        <p class="status" role="status" data-testid="login-notice">
          {t(notice)}
        </p>
      )}
      {session && (
        <p data-testid="login-current">{t('login.signedInAs', { name: displayNameOf(session) })}</p>
      )}
      <p class="lead">{t('login.lead')}</p>
      <form class="login-form" onSubmit={onSubmit} noValidate aria-labelledby="login-form-title" data-testid="login-form">
        <h2 id="login-form-title" class="visually-hidden">
          {t('page.login.title')}
        </h2>
        <div class="field">
          <label for="login-username">{t('login.username')}</label>
          <input
            id="login-username"
            ref={usernameRef}
            name="username"
            type="text"
            autocomplete="username"
            autocapitalize="none"
            spellcheck={false}
            required
            value={username}
            onInput={(e) => setUsername((e.currentTarget as HTMLInputElement).value)}
            aria-invalid={invalidUser ? 'true' : undefined}
            aria-describedby={invalidUser ? 'login-error' : undefined}
          />
        </div>
        <div class="field">
          <label for="login-password">{t('login.password')}</label>
          <input
            id="login-password"
            ref={passwordRef}
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)}
            aria-invalid={invalidPassword ? 'true' : undefined}
            aria-describedby={invalidPassword ? 'login-error' : undefined}
          />
        </div>
        {/* Always in the page, so that a message put in it is announced. */}
        <div id="login-error" class="login-form__error" role="alert" aria-live="assertive" data-testid="login-error">
          {error && <p class="status status--error">{t(error.key, error.params)}</p>}
        </div>
        <div class="login-form__actions">
          <button type="submit" class="button button--primary" aria-disabled={busy ? 'true' : undefined}>
            {busy ? t('login.busy') : t('login.submit')}
          </button>
        </div>
      </form>
      <p class="note">{t('login.note')}</p>
    </div>
  );
}
