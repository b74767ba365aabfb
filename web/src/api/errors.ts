// A reader-facing message for a failed request.
import type { Translate } from '../i18n/translate';
import { ApiError } from './http';

export function errorMessage(error: unknown, t: Translate): string {
  if (error instanceof ApiError) {
    if (error.status === 400) return t('error.badRequest', { detail: error.detail ?? error.title });
    if (error.status === 404) return t('error.notFound');
    return t('error.server', { status: error.status, detail: error.detail ?? error.title });
  }
  return t('error.network');
}
