import { ApiError, networkErrorCode, toApiError } from './api-error';

/**
 * The one way the app talks to Wright. The browser's HttpOnly cookies carry the login (no token is
 * ever visible to script or kept in web storage); unsafe methods carry the CSRF header the server
 * requires; an expired access token is refreshed once for all requests waiting on it
 * (single-flight, since a refresh token is single use) and the request is repeated, so the user
 * never notices. A refresh that fails means the login is over: listeners are told.
 */

const csrfHeader = 'X-Requested-With';
const csrfValue = 'wright-web';
const refreshPath = '/api/auth/refresh';

type Listener = () => void;

export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Do not try a refresh on 401 (login, setup, refresh itself). */
  anonymous?: boolean;
}

export interface ApiClient {
  /** Sends a request and parses JSON (undefined for 204). */
  json<T>(path: string, options?: RequestOptions): Promise<T>;
  /** Sends a request and returns the successful Response (for streams, headers and bytes). */
  raw(path: string, options?: RequestOptions): Promise<Response>;
  /** Refreshes the login now (shared with any refresh already running); false when the login is over. */
  refresh(): Promise<boolean>;
  onUnauthenticated(listener: Listener): () => void;
}

export function isUnsafe(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}

/** Creates a client over a fetch function (the browser's, or a test's). */
export function createApiClient(fetchImpl: typeof fetch = (...args) => fetch(...args), base = ''): ApiClient {
  let refreshing: Promise<boolean> | null = null;
  // Counts successful refreshes. A request sent before the latest refresh that comes back 401 was
  // refused for the old token: it is simply sent again, instead of starting yet another refresh.
  let generation = 0;
  const listeners = new Set<Listener>();

  async function send(path: string, options: RequestOptions): Promise<Response> {
    const method = (options.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    let body: BodyInit | undefined;
    if (options.body !== undefined) {
      if (typeof options.body === 'string' || options.body instanceof Blob || options.body instanceof ArrayBuffer) {
        body = options.body as BodyInit;
      } else {
        body = JSON.stringify(options.body);
        headers['Content-Type'] ??= 'application/json';
      }
    }
    if (isUnsafe(method)) headers[csrfHeader] = csrfValue;
    try {
      return await fetchImpl(base + path, { method, headers, body, credentials: 'same-origin', signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new ApiError(0, networkErrorCode, 'Wright cannot be reached. Retrying when it is back.');
    }
  }

  function refresh(): Promise<boolean> {
    refreshing ??= (async () => {
      try {
        const response = await send(refreshPath, { method: 'POST' });
        if (response.ok) generation += 1;
        return response.ok;
      } catch {
        return false;
      } finally {
        // Let requests that fail after this refresh start a new one.
        queueMicrotask(() => {
          refreshing = null;
        });
      }
    })();
    return refreshing;
  }

  async function raw(path: string, options: RequestOptions = {}): Promise<Response> {
    const sentWith = generation;
    let response = await send(path, options);
    if (response.status === 401 && !options.anonymous) {
      const error = await toApiError(response.clone());
      if (error.code === 'token_expired' || error.code === 'unauthenticated') {
        if (generation !== sentWith || (await refresh())) {
          response = await send(path, options);
        } else {
          listeners.forEach((listener) => listener());
          throw error;
        }
      }
    }
    if (!response.ok) {
      const error = await toApiError(response);
      if (error.status === 401 && !options.anonymous) listeners.forEach((listener) => listener());
      throw error;
    }
    return response;
  }

  return {
    raw,
    refresh,
    async json<T>(path: string, options: RequestOptions = {}): Promise<T> {
      const response = await raw(path, options);
      if (response.status === 204) return undefined as T;
      const text = await response.text();
      return (text ? JSON.parse(text) : undefined) as T;
    },
    onUnauthenticated(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The app's client. */
export const api = createApiClient();

/** Encodes a project-relative path for a URL, keeping its slashes. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
