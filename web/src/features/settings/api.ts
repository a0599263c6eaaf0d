import { queryOptions } from '@tanstack/react-query';
import { api, encodePath } from '@/lib/api-client';

export interface Provider {
  name: string;
  kind: string;
  baseUrl: string;
  source: string;
  hasKey: boolean;
  keyHint: string | null;
}

export interface AccessToken {
  id: string;
  name: string;
  hint: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revoked: boolean;
}

export interface AuditEntry {
  id: string;
  at: string;
  action: string;
  actorName: string | null;
  target: string | null;
  address: string | null;
  detail: string | null;
}

export interface UserRow {
  id: string;
  userName: string;
  role: string;
  disabled: boolean;
  createdAt: string;
}

export const providersQuery = queryOptions({
  queryKey: ['providers'],
  queryFn: async () => (await api.json<{ items: Provider[] }>('/api/providers')).items,
});
export const tokensQuery = queryOptions({
  queryKey: ['tokens'],
  queryFn: async () => (await api.json<{ items: AccessToken[] }>('/api/tokens')).items,
});
export const usersQuery = queryOptions({
  queryKey: ['users'],
  queryFn: async () => (await api.json<{ items: UserRow[] }>('/api/users')).items,
});
export const auditQuery = queryOptions({
  queryKey: ['audit'],
  queryFn: async () => (await api.json<{ items: AuditEntry[] }>('/api/audit?limit=100')).items,
});

export const saveProvider = (name: string, body: { kind?: string; baseUrl?: string; apiKey?: string; clearApiKey?: boolean }) =>
  api.json<Provider>(`/api/providers/${encodePath(name)}`, { method: 'PUT', body });
export const deleteProvider = (name: string) => api.json(`/api/providers/${encodePath(name)}`, { method: 'DELETE' });
export const testProvider = (name: string) =>
  api.json<{ ok: boolean; model: string; latencyMs: number; error?: { code: string; detail: string } }>(`/api/providers/${encodePath(name)}:test`, { method: 'POST', body: {} });
export const createToken = (name: string, expiresInDays?: number) =>
  api.json<{ id: string; token: string }>('/api/tokens', { method: 'POST', body: { name, ...(expiresInDays ? { expiresInDays } : {}) } });
export const revokeToken = (id: string) => api.json(`/api/tokens/${id}`, { method: 'DELETE' });
export const updateUser = (id: string, body: { role?: string; disabled?: boolean }) => api.json(`/api/users/${id}`, { method: 'PATCH', body });

export interface CatalogModel {
  name: string;
  provider: string;
  model: string;
  contextWindow: number | null;
  maxOutputTokens: number | null;
  inputCostPerToken: number | null;
  outputCostPerToken: number | null;
  currency: string;
  source: string;
  default: boolean;
}

export const catalogQuery = queryOptions({
  queryKey: ['models', 'catalog'],
  queryFn: async () => (await api.json<{ items: CatalogModel[] }>('/api/models')).items,
});

/** An admin's override of a model's limits and prices (per token). */
export const saveModel = (name: string, body: { contextWindow?: number; maxOutputTokens?: number; inputCostPerToken?: number; outputCostPerToken?: number }) => {
  const slash = name.indexOf('/');
  return api.json<CatalogModel>(`/api/models/${encodePath(name.slice(0, slash))}/${encodePath(name.slice(slash + 1))}`, { method: 'PUT', body });
};

export const createUser = (userName: string, password: string, role: string) => api.json<UserRow>('/api/users', { method: 'POST', body: { userName, password, role } });
