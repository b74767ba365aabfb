import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/http';
import { loginErrorMessage } from './loginError';

describe('sign-in errors', () => {
  it('name wrong credentials, lock-outs and the rest', () => {
    expect(loginErrorMessage(new ApiError(400, 'invalid_grant', 'username or password is wrong', 'invalid_grant'))).toEqual({ key: 'login.error.invalid' });
    expect(loginErrorMessage(new ApiError(401, 'invalid_client', undefined, undefined))).toEqual({ key: 'login.error.invalid' });
    expect(loginErrorMessage(new ApiError(429, 'invalid_grant', 'x', undefined, 30))).toEqual({ key: 'login.error.tooMany', params: { seconds: 30 } });
    expect(loginErrorMessage(new ApiError(429, 'invalid_grant', 'too many failed logins for a; try again in 12 seconds', undefined))).toEqual({
      key: 'login.error.tooMany',
      params: { seconds: 12 },
    });
    expect(loginErrorMessage(new ApiError(429, 'Too many requests', undefined, undefined))).toEqual({ key: 'login.error.tooManyLater' });
    expect(loginErrorMessage(new ApiError(503, 'Service unavailable', undefined, undefined))).toEqual({ key: 'login.error.failed', params: { status: 503 } });
    expect(loginErrorMessage(new TypeError('Failed to fetch'))).toEqual({ key: 'error.network' });
  });
});
