// The machi API calls the web app makes besides NGSI-LD: sign-in, who am I,
// sign-out, the purpose catalogue, and the access ledger (docs/ledger.md).
import type { Me, TokenResponse } from '../auth/session';
import type { MinePage } from '../ledger/newest';
import type { InclusionProof, SignedTreeHead } from '../ledger/verify';
import { getJson, request } from './http';

export const MACHI = '/machi/v1';

/** OAuth 2.0 resource owner password grant (RFC 6749 section 4.3). */
export async function requestToken(username: string, password: string): Promise<TokenResponse> {
  const body = new URLSearchParams({ grant_type: 'password', username, password }).toString();
  const { data } = await request<TokenResponse>(`${MACHI}/auth/token`, {
    method: 'POST',
    body,
    contentType: 'application/x-www-form-urlencoded',
    endSessionOn401: false,
  });
  return data;
}

export async function getMe(token?: string, signal?: AbortSignal): Promise<Me> {
  const { data } = await request<Me>(`${MACHI}/auth/me`, { ...(token ? { token } : {}), ...(signal ? { signal } : {}) });
  return data;
}

/** Ends the token on the server (it stays refused until it would have expired). */
export async function revokeToken(token: string): Promise<void> {
  await request<unknown>(`${MACHI}/auth/revoke`, { method: 'POST', token, endSessionOn401: false });
}

// GET /machi/v1/purposes (public): DPV purposes and machi's own, with labels.
export interface PurposeInfo {
  id: string;
  shortName: string;
  label: { en?: string; ja?: string };
  broader: string[];
}

export async function listPurposes(signal?: AbortSignal): Promise<PurposeInfo[]> {
  const { data } = await getJson<PurposeInfo[]>(`${MACHI}/purposes`, 'application/json', signal);
  return data;
}

export async function getMine(params: { after?: number; limit: number }, signal?: AbortSignal): Promise<MinePage> {
  const query = new URLSearchParams({ limit: String(params.limit) });
  if (params.after !== undefined) query.set('after', String(params.after));
  const { data } = await getJson<MinePage>(`${MACHI}/ledger/mine?${query.toString()}`, 'application/json', signal);
  return data;
}

export async function getHead(signal?: AbortSignal): Promise<SignedTreeHead> {
  const { data } = await getJson<SignedTreeHead>(`${MACHI}/ledger/head`, 'application/json', signal);
  return data;
}

export async function getProof(index: number, size: number, signal?: AbortSignal): Promise<InclusionProof> {
  const { data } = await getJson<InclusionProof>(`${MACHI}/ledger/proof?index=${index}&size=${size}`, 'application/json', signal);
  return data;
}
