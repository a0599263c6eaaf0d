import { queryOptions } from '@tanstack/react-query';
import { api, encodePath, query } from '@/lib/api-client';

export interface TreeEntry {
  name: string;
  path: string;
  kind: 'file' | 'directory' | 'symlink';
  size: number | null;
  modified: string;
}

export interface Tree {
  path: string;
  entries: TreeEntry[];
  truncated: boolean;
}

export interface FileContent {
  path: string;
  content: string | null;
  etag: string;
  binary: boolean;
  size: number;
  encoding: string | null;
  modified: string;
}

export interface FileWritten {
  path: string;
  etag: string;
  size: number;
  created: boolean;
}

export interface MergeResult {
  content: string;
  conflicts: number;
  etag: string;
}

export const treeKey = (projectId: string, path: string) => ['project', projectId, 'tree', path] as const;

export const treeQuery = (projectId: string, path: string) =>
  queryOptions({
    queryKey: treeKey(projectId, path),
    queryFn: ({ signal }) => api.json<Tree>(`/api/projects/${projectId}/tree${query({ path, depth: 1 })}`, { signal }),
    staleTime: 60_000,
  });

/** Every file path of the project (quick open), one listing to the full depth. */
export const allFilesQuery = (projectId: string) =>
  queryOptions({
    queryKey: ['project', projectId, 'tree', '*all'],
    queryFn: async ({ signal }) => {
      const tree = await api.json<Tree>(`/api/projects/${projectId}/tree${query({ depth: 32, limit: 250000 })}`, { signal });
      return tree.entries.filter((e) => e.kind !== 'directory').map((e) => e.path);
    },
    staleTime: 30_000,
  });

const fileUrl = (projectId: string, path: string) => `/api/projects/${projectId}/files/${encodePath(path)}`;

export function rawFileUrl(projectId: string, path: string): string {
  return `${fileUrl(projectId, path)}?raw=1`;
}

export function readFile(projectId: string, path: string): Promise<FileContent> {
  return api.json<FileContent>(fileUrl(projectId, path));
}

/** Writes text; `etag` guards the write (409 version_conflict when the file changed), null means "must not exist yet". */
export function writeFile(projectId: string, path: string, content: string, etag: string | null | undefined): Promise<FileWritten> {
  const headers: Record<string, string> = {};
  if (etag === null) headers['If-None-Match'] = '*';
  else if (etag !== undefined) headers['If-Match'] = `"${etag}"`;
  return api.json<FileWritten>(fileUrl(projectId, path), { method: 'PUT', body: { content }, headers });
}

export function deleteEntry(projectId: string, path: string, recursive: boolean): Promise<void> {
  return api.json(`${fileUrl(projectId, path)}${recursive ? '?recursive=true' : ''}`, { method: 'DELETE' });
}

export function moveEntry(projectId: string, from: string, to: string): Promise<unknown> {
  return api.json(`/api/projects/${projectId}/files:move`, { method: 'POST', body: { from, to } });
}

export function createDirectory(projectId: string, path: string): Promise<unknown> {
  return api.json(`/api/projects/${projectId}/dirs`, { method: 'POST', body: { path } });
}

/** The server's three-way merge of base (what was loaded), mine (the edit) and theirs (the disk now); nothing is written. */
export function mergeFile(projectId: string, path: string, base: string, mine: string): Promise<MergeResult> {
  return api.json<MergeResult>(`/api/projects/${projectId}/files:merge`, { method: 'POST', body: { path, base, mine } });
}

export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** The directory of a path and every directory above it, nearest first, ending with the root (''). */
export function ancestorsOf(path: string): string[] {
  const out: string[] = [];
  let dir = parentOf(path);
  for (;;) {
    out.push(dir);
    if (dir === '') return out;
    dir = parentOf(dir);
  }
}

export interface SearchHit {
  path: string;
  line: number;
  column: number;
  preview: string;
  matchLength: number;
  /** Where the preview starts in the line: the line's own column is previewOffset + column. */
  previewOffset?: number;
}

export interface SearchOptions {
  q: string;
  regex: boolean;
  caseSensitive: boolean;
  wholeWord: boolean;
  include: string;
  exclude: string;
}

export const searchQuery = (projectId: string, options: SearchOptions) =>
  queryOptions({
    queryKey: ['project', projectId, 'search', options],
    queryFn: ({ signal }) =>
      api.json<{ items: SearchHit[]; nextCursor: string | null; truncated: boolean }>(
        `/api/projects/${projectId}/search${query({ ...options, limit: 200 })}`,
        { signal },
      ),
    enabled: options.q.length > 0,
    staleTime: 10_000,
  });
