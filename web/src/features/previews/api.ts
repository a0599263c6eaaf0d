import { queryOptions } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

/** A dev server of the project as `GET /api/projects/{id}/previews` lists it. */
export interface PreviewInfo {
  port: number;
  source: 'listening' | 'printed' | 'added' | 'command';
  terminalId: string | null;
  /** The model's background command that started it (`source: 'command'`), and its command line. */
  commandId?: string | null;
  command?: string | null;
  listening: boolean;
  /** The preview's own origin (`http://<port>-<project>.localhost:<wright-port>`). */
  origin: string;
  /** Wright's address that signs the caller in on the preview origin and redirects there. */
  url: string;
}

/** Previews come and go with dev servers: the list is polled while the panel shows it. */
export const previewsQuery = (projectId: string) =>
  queryOptions({
    queryKey: ['project', projectId, 'previews'],
    queryFn: async ({ signal }) => (await api.json<{ items: PreviewInfo[] }>(`/api/projects/${projectId}/previews`, { signal })).items,
    refetchInterval: 2_000,
  });

export function addPreview(projectId: string, port: number): Promise<PreviewInfo> {
  return api.json<PreviewInfo>(`/api/projects/${projectId}/previews`, { method: 'POST', body: { port } });
}

export function removePreview(projectId: string, port: number): Promise<void> {
  return api.json<void>(`/api/projects/${projectId}/previews/${port}`, { method: 'DELETE' });
}
