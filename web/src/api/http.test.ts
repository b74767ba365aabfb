import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, configureAuth, getJson, request } from './http';

function answer(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(body === undefined ? '' : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

describe('API requests', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    configureAuth({ token: () => null, unauthorized: () => {} });
  });

  it('carry the session’s bearer token', async () => {
    const fetch = vi.fn(async () => answer(200, { ok: 1 }));
    vi.stubGlobal('fetch', fetch);
    configureAuth({ token: () => 'tok', unauthorized: () => {} });
    expect((await getJson('/ngsi-ld/v1/types')).data).toEqual({ ok: 1 });
    const init = (fetch.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect(init.headers).toEqual({ Accept: 'application/json', Authorization: 'Bearer tok' });
  });

  it('send none when signed out', async () => {
    const fetch = vi.fn(async () => answer(200, []));
    vi.stubGlobal('fetch', fetch);
    await getJson('/machi/v1/purposes');
    expect((fetch.mock.calls[0] as unknown as [string, RequestInit])[1].headers).toEqual({ Accept: 'application/json' });
  });

  it('end the session on 401, except where asked not to', async () => {
    const unauthorized = vi.fn();
    configureAuth({ token: () => 'old', unauthorized });
    vi.stubGlobal('fetch', vi.fn(async () => answer(401, { type: 'https://machi.city/problems/Unauthorized', title: 'Unauthorized', detail: 'token has expired' })));
    await expect(getJson('/ngsi-ld/v1/entities')).rejects.toMatchObject({ status: 401, detail: 'token has expired' });
    expect(unauthorized).toHaveBeenCalledTimes(1);
    await expect(request('/machi/v1/auth/token', { method: 'POST', endSessionOn401: false })).rejects.toBeInstanceOf(ApiError);
    expect(unauthorized).toHaveBeenCalledTimes(1);
  });

  it('read OAuth errors and Retry-After', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => answer(429, { error: 'invalid_grant', error_description: 'too many failed logins for x; try again in 42 seconds' }, { 'Retry-After': '42' })));
    const error = await request('/machi/v1/auth/token', { method: 'POST', body: 'a=b', contentType: 'application/x-www-form-urlencoded' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 429, title: 'invalid_grant', retryAfterSeconds: 42 });
  });

  it('use a given token instead of the session’s', async () => {
    const fetch = vi.fn(async () => new Response(null, { status: 204 }));
    vi.stubGlobal('fetch', fetch);
    configureAuth({ token: () => 'session', unauthorized: () => {} });
    await request('/machi/v1/auth/revoke', { method: 'POST', token: 'other' });
    const init = (fetch.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>)['Authorization']).toBe('Bearer other');
  });
});
