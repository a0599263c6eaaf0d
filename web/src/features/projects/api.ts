import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { readSse } from '@/lib/sse';

export interface Project {
  id: string;
  name: string;
  path: string;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt: string | null;
  ownerId: string | null;
}

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const projectsQuery = queryOptions({
  queryKey: ['projects'],
  queryFn: async () => {
    const items: Project[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<Project> = await api.json(`/api/projects?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  },
});

export const projectQuery = (id: string) =>
  queryOptions({ queryKey: ['project', id, 'info'], queryFn: () => api.json<Project>(`/api/projects/${id}`) });

export function useProjects() {
  return useQuery(projectsQuery);
}

export function useProject(id: string) {
  return useQuery(projectQuery(id));
}

function useProjectMutation<TArgs, TResult>(fn: (args: TArgs) => Promise<TResult>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => client.invalidateQueries({ queryKey: ['projects'] }),
  });
}

export const useCreateProject = () =>
  useProjectMutation((args: { name: string; path?: string }) => api.json<Project>('/api/projects', { method: 'POST', body: args }));
export const useOpenProject = () =>
  useProjectMutation((args: { path: string; name?: string; initGit?: boolean }) =>
    api.json<Project>('/api/projects:open', { method: 'POST', body: args }),
  );
export const useCloneProject = () =>
  useProjectMutation((args: { url: string; path?: string; name?: string }) =>
    api.json<Project>('/api/projects:clone', { method: 'POST', body: args }),
  );
export const useRenameProject = () =>
  useProjectMutation((args: { id: string; name: string }) => api.json(`/api/projects/${args.id}`, { method: 'PATCH', body: { name: args.name } }));
export const useArchiveProject = () =>
  useProjectMutation((args: { id: string; archived: boolean }) =>
    api.json(`/api/projects/${args.id}:${args.archived ? 'archive' : 'unarchive'}`, { method: 'POST' }),
  );
export const useDeleteProject = () =>
  useProjectMutation((args: { id: string; deleteFiles: boolean }) =>
    api.json(`/api/projects/${args.id}${args.deleteFiles ? '?deleteFiles=true' : ''}`, { method: 'DELETE' }),
  );

/** Export is a plain download: the browser sends the cookie on a same-origin GET. */
export function exportUrl(id: string, format: 'zip' | 'bundle'): string {
  return `/api/projects/${id}/export?format=${format}`;
}

/** A project being scaffolded from a description: its first answer streams in the session given. */
export interface ScaffoldStarted {
  project: Project;
  sessionId: string;
  messageId: string;
}

export const useScaffoldProject = () =>
  useProjectMutation((args: { name: string; description: string; path?: string }) =>
    api.json<ScaffoldStarted>('/api/projects:scaffold', { method: 'POST', body: args }),
  );

/** A clone running on the server (`/api/clones/{id}`). */
export interface CloneOperation {
  id: string;
  url: string;
  name: string;
  path: string;
  state: 'running' | 'succeeded' | 'failed' | 'cancelled';
  phase: string | null;
  percent: number;
  done: number | null;
  total: number | null;
  project: Project | null;
  error: { code: string; detail: string } | null;
}

export const startClone = (args: { url: string; path?: string; name?: string }) =>
  api.json<CloneOperation>('/api/clones', { method: 'POST', body: args });

export const cancelClone = (id: string) => api.json<CloneOperation>(`/api/clones/${id}:cancel`, { method: 'POST' });

/**
 * Follows a clone's progress until it ends: each event holds the whole operation. A dropped
 * connection resumes after the last event seen; the final state is returned.
 */
export async function followClone(id: string, onChange: (clone: CloneOperation) => void, signal?: AbortSignal): Promise<CloneOperation> {
  let last: string | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await api.raw(`/api/clones/${id}/events`, { headers: { Accept: 'text/event-stream', ...(last ? { 'Last-Event-ID': last } : {}) }, ...(signal ? { signal } : {}) });
      for await (const event of readSse(response.body!, signal)) {
        if (!event.data) continue;
        last = event.id ?? last;
        const clone = JSON.parse(event.data) as CloneOperation;
        onChange(clone);
        if (clone.state !== 'running') return clone;
      }
    } catch (error) {
      if (signal?.aborted || attempt >= 5) throw error;
    }
    if (signal?.aborted) throw new DOMException('Aborted', 'AbortError');
    await new Promise((resolve) => setTimeout(resolve, Math.min(4000, 250 * 2 ** attempt)));
  }
}
