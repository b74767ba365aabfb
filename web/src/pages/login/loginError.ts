// The message for a failed sign-in (OAuth 2.0 errors of the token endpoint).
import { ApiError } from '../../api/http';
import type { MessageKey } from '../../i18n/ja';
import type { Params } from '../../i18n/translate';

export function loginErrorMessage(error: unknown): { key: MessageKey; params?: Params } {
  if (!(error instanceof ApiError)) return { key: 'error.network' };
  if (error.status === 429) {
    const seconds = error.retryAfterSeconds ?? Number(/(\d+) seconds/.exec(error.detail ?? '')?.[1] ?? NaN);
    return Number.isFinite(seconds) ? { key: 'login.error.tooMany', params: { seconds } } : { key: 'login.error.tooManyLater' };
  }
  // invalid_grant (400): wrong name or password, or a disabled account; invalid_client (401).
  if (error.status === 400 || error.status === 401) return { key: 'login.error.invalid' };
  return { key: 'login.error.failed', params: { status: error.status } };
}
