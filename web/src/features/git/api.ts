import { queryOptions } from '@tanstack/react-query';
import { api, query } from '@/lib/api-client';

export type GitChange = 'unmodified' | 'modified' | 'added' | 'deleted' | 'renamed' | 'copied' | 'untracked' | 'ignored' | 'unmerged' | 'typeChanged';

export interface GitStatus {
  branch: string | null;
  head: string | null;
  entries: Array<{ path: string; originalPath: string | null; index: GitChange; worktree: GitChange }>;
}

export interface GitCommit {
  sha: string;
  shortSha?: string;
  subject: string;
  body?: string;
  author: { name: string; email: string; date: string };
  trailers: Array<{ key: string; value: string }>;
  parents?: string[];
  files?: Array<{ path: string; change: GitChange; additions: number | null; deletions: number | null }>;
}

export interface CommitDiff {
  commit: GitCommit;
  files: Array<{ path: string; originalPath: string | null; change: GitChange; additions: number | null; deletions: number | null; binary: boolean; patch: string | null; truncated: boolean }>;
}

export const gitStatusQuery = (projectId: string) =>
  queryOptions({
    queryKey: ['project', projectId, 'git', 'status'],
    queryFn: ({ signal }) => api.json<GitStatus>(`/api/projects/${projectId}/git/status`, { signal }),
    staleTime: 5_000,
  });

export const gitLogQuery = (projectId: string) =>
  queryOptions({
    queryKey: ['project', projectId, 'git', 'log'],
    queryFn: async ({ signal }) => {
      const page = await api.json<{ items: GitCommit[] } | GitCommit[]>(`/api/projects/${projectId}/git/log${query({ limit: 100 })}`, { signal });
      return Array.isArray(page) ? page : page.items;
    },
  });

export const commitDiffQuery = (projectId: string, sha: string) =>
  queryOptions({
    queryKey: ['project', projectId, 'git', 'commit', sha],
    queryFn: ({ signal }) => api.json<CommitDiff>(`/api/projects/${projectId}/git/commits/${sha}`, { signal }),
    staleTime: Infinity,
  });

export function undoCommit(projectId: string, commit?: string): Promise<{ undone: string; head: string; files: string[] }> {
  return api.json(`/api/projects/${projectId}/git/undo`, { method: 'POST', body: commit ? { commit } : {} });
}

export function revertFile(projectId: string, sha: string, path: string): Promise<{ commit: string }> {
  return api.json(`/api/projects/${projectId}/git/commits/${sha}:revert-file`, { method: 'POST', body: { path } });
}

/** Status letters for the explorer: worktree change first, then index. */
export function decorationsOf(status: GitStatus | undefined): Record<string, string> {
  const letters: Partial<Record<GitChange, string>> = { modified: 'M', added: 'A', deleted: 'D', renamed: 'R', untracked: 'U', unmerged: '!', typeChanged: 'T', copied: 'C' };
  const out: Record<string, string> = {};
  for (const entry of status?.entries ?? []) {
    const change = entry.worktree !== 'unmodified' ? entry.worktree : entry.index;
    const letter = letters[change];
    if (letter) out[entry.path.replace(/\/$/, '')] = letter;
  }
  return out;
}

export interface GitRemote {
  name: string;
  fetchUrl: string;
  pushUrl: string;
}

export interface GitBranch {
  name: string;
  sha: string;
  current: boolean;
  upstream: string | null;
  ahead: number | null;
  behind: number | null;
}

export interface PullResult {
  outcome: 'upToDate' | 'fastForward' | 'merged' | 'conflict';
  remote: string;
  branch: string;
  head: string;
  conflicts: string[];
}

export const remotesQuery = (projectId: string) =>
  queryOptions({
    queryKey: ['project', projectId, 'git', 'remotes'],
    queryFn: async ({ signal }) => (await api.json<{ items: GitRemote[] }>(`/api/projects/${projectId}/git/remotes`, { signal })).items,
  });

export const branchesQuery = (projectId: string) =>
  queryOptions({
    queryKey: ['project', projectId, 'git', 'branches'],
    queryFn: async ({ signal }) => (await api.json<{ items: GitBranch[] }>(`/api/projects/${projectId}/git/branches?limit=200`, { signal })).items,
  });

export const addRemote = (projectId: string, name: string, url: string) => api.json<GitRemote>(`/api/projects/${projectId}/git/remotes`, { method: 'POST', body: { name, url } });
export const removeRemote = (projectId: string, name: string) => api.json<void>(`/api/projects/${projectId}/git/remotes/${encodeURIComponent(name)}`, { method: 'DELETE' });
export const fetchRemote = (projectId: string, remote?: string) =>
  api.json<{ remote: string; branch: string | null; upstream: string | null; ahead: number | null; behind: number | null }>(`/api/projects/${projectId}/git/fetch`, { method: 'POST', body: remote ? { remote } : {} });
export const pullRemote = (projectId: string, remote?: string) => api.json<PullResult>(`/api/projects/${projectId}/git/pull`, { method: 'POST', body: remote ? { remote } : {} });
export const pushRemote = (projectId: string, remote?: string, setUpstream = true) =>
  api.json<{ remote: string; branch: string; head: string }>(`/api/projects/${projectId}/git/push`, { method: 'POST', body: { ...(remote ? { remote } : {}), setUpstream } });
export const abortMerge = (projectId: string) => api.json(`/api/projects/${projectId}/git/merge:abort`, { method: 'POST' });
export const checkoutBranch = (projectId: string, branch: string) => api.json(`/api/projects/${projectId}/git/checkout`, { method: 'POST', body: { branch } });
export const createBranch = (projectId: string, name: string) => api.json(`/api/projects/${projectId}/git/branches`, { method: 'POST', body: { name, switch: true } });
export const commitAll = (projectId: string, message: string) => api.json<{ sha: string }>(`/api/projects/${projectId}/git/commits`, { method: 'POST', body: { message } });
