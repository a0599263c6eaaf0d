import { describe, expect, it } from 'vitest';
import { createApiClient } from './api-client';
import { ApiError } from './api-error';

function problem(status: number, code: string, detail: string, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify({ status, code, detail }), { status, headers: { 'Content-Type': 'application/problem+json', ...headers } });
}

/** A fake server: the access token is expired until one refresh happens; records every request. */
function fakeServer(options: { refreshOk?: boolean } = {}) {
  const requests: Array<{ url: string; method: string; headers: Record<string, string> }> = [];
  let refreshed = false;
  let releaseRefresh: () => void = () => undefined;
  const refreshGate = new Promise<void>((resolve) => (releaseRefresh = resolve));
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    requests.push({ url, method, headers: { ...(init?.headers as Record<string, string>) } });
    if (url === '/api/auth/refresh') {
      await refreshGate;
      if (options.refreshOk === false) return problem(401, 'refresh_token_reused', 'used twice');
      refreshed = true;
      return new Response('{}', { status: 200 });
    }
    if (!refreshed) return problem(401, 'token_expired', 'access token expired');
    return new Response(JSON.stringify({ url }), { status: 200, headers: { 'Content-Type': 'application/json' } });
  }) as typeof fetch;
  return { fetchImpl, requests, releaseRefresh };
}

describe('api client', () => {
  it('refreshes an expired login once for all the requests waiting on it, then repeats them', async () => {
    const server = fakeServer();
    const client = createApiClient(server.fetchImpl);

    const pending = Promise.all([client.json<{ url: string }>('/api/a'), client.json<{ url: string }>('/api/b'), client.json<{ url: string }>('/api/c')]);
    await new Promise((r) => setTimeout(r, 10));
    server.releaseRefresh();
    const results = await pending;

    expect(results.map((r) => r.url)).toEqual(['/api/a', '/api/b', '/api/c']);
    expect(server.requests.filter((r) => r.url === '/api/auth/refresh')).toHaveLength(1);
    expect(server.requests.filter((r) => r.url === '/api/a')).toHaveLength(2);
  });

  it('repeats a request refused for the old token after the refresh finished, without refreshing again', async () => {
    // A request sent before the refresh whose 401 arrives after it: the old code started a second refresh.
    let refreshed = false;
    let refreshes = 0;
    let releaseSlow: () => void = () => undefined;
    const slowGate = new Promise<void>((resolve) => (releaseSlow = resolve));
    const client = createApiClient((async (input: RequestInfo | URL) => {
      const url = String(input);
      if (url === '/api/auth/refresh') {
        refreshes += 1;
        refreshed = true;
        return new Response('{}', { status: 200 });
      }
      const expired = !refreshed;
      if (url === '/api/slow' && expired) await slowGate;
      return expired ? problem(401, 'token_expired', 'access token expired') : new Response('{"ok":true}', { status: 200, headers: { 'Content-Type': 'application/json' } });
    }) as typeof fetch);

    const slow = client.json<{ ok: boolean }>('/api/slow');
    await client.json('/api/fast');
    releaseSlow();

    expect(await slow).toEqual({ ok: true });
    expect(refreshes).toBe(1);
  });

  it('tells its listeners when the refresh fails, and throws the original problem', async () => {
    const server = fakeServer({ refreshOk: false });
    const client = createApiClient(server.fetchImpl);
    let told = 0;
    client.onUnauthenticated(() => (told += 1));
    server.releaseRefresh();

    const error = await client.json('/api/a').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('token_expired');
    expect(told).toBe(1);
  });

  it('sends the CSRF header on unsafe methods only, and never an Authorization header', async () => {
    const requests: Array<{ method: string; headers: Record<string, string> }> = [];
    const client = createApiClient((async (_input: RequestInfo | URL, init?: RequestInit) => {
      requests.push({ method: init?.method ?? 'GET', headers: init?.headers as Record<string, string> });
      return new Response(null, { status: 204 });
    }) as typeof fetch);

    await client.json('/api/x');
    await client.json('/api/x', { method: 'POST', body: { a: 1 } });
    await client.json('/api/x', { method: 'DELETE' });

    expect(requests[0]!.headers['X-Requested-With']).toBeUndefined();
    expect(requests[1]!.headers['X-Requested-With']).toBeTruthy();
    expect(requests[1]!.headers['Content-Type']).toBe('application/json');
    expect(requests[2]!.headers['X-Requested-With']).toBeTruthy();
    expect(requests.some((r) => 'Authorization' in r.headers)).toBe(false);
  });

  it('turns problem+json into a typed error with code, detail and Retry-After', async () => {
    const client = createApiClient((async () => problem(429, 'rate_limited', 'Too many login attempts.', { 'Retry-After': '42' })) as unknown as typeof fetch);

    const error = (await client.json('/api/auth/login', { method: 'POST', body: {}, anonymous: true }).catch((e: unknown) => e)) as ApiError;

    expect(error.status).toBe(429);
    expect(error.code).toBe('rate_limited');
    expect(error.detail).toBe('Too many login attempts.');
    expect(error.retryAfter).toBe(42);
  });

  it('reports an unreachable server as a network error, not a crash', async () => {
    const client = createApiClient((async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch);

    const error = (await client.json('/api/x').catch((e: unknown) => e)) as ApiError;

    expect(error.isNetwork).toBe(true);
    expect(error.code).toBe('network_error');
  });
});
