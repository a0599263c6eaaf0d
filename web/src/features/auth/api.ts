import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

export interface User {
  id: string;
  userName: string;
  role: 'admin' | 'member';
  createdAt: string;
  disabled: boolean;
}

export const meQuery = queryOptions({
  queryKey: ['me'],
  queryFn: () => api.json<User>('/api/auth/me'),
  retry: false,
  staleTime: 5 * 60_000,
});

export function useMe() {
  return useQuery(meQuery);
}

export function login(userName: string, password: string): Promise<{ user: User }> {
  return api.json('/api/auth/login', { method: 'POST', body: { userName, password }, anonymous: true });
}

export function logout(): Promise<void> {
  return api.json('/api/auth/logout', { method: 'POST', anonymous: true });
}

export function getSetupStatus(): Promise<{ required: boolean }> {
  return api.json('/api/setup', { anonymous: true });
}

export function completeSetup(token: string, userName: string, password: string): Promise<User> {
  return api.json('/api/setup', { method: 'POST', body: { token, userName, password }, anonymous: true });
}
