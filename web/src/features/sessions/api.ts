import { queryOptions } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

export interface Session {
  id: string;
  projectId: string;
  title: string;
  currentLeafId: string | null;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export interface ChatMessage {
  id: string;
  parentId: string | null;
  role: 'user' | 'assistant';
  content: string;
  status: 'complete' | 'streaming' | 'cancelled' | 'interrupted' | 'error';
  model: string | null;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  errorCode: string | null;
  errorDetail: string | null;
  createdAt: string;
  siblingIds: string[];
  siblingIndex: number;
  childIds: string[];
}

export interface TokenUsage {
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

export interface SessionTree {
  session: Session;
  currentLeafId: string | null;
  activePath: string[];
  messages: ChatMessage[];
  totals: { tokenUsage: { total: TokenUsage }; costs: { totalCost: number; currency: string } };
  /** Merge edges: merge message `messageId` merged leaf `fromMessageId` of session `fromSessionId` (this one for its own branches). */
  merges?: MergeEdge[];
}

export interface MergeEdge {
  messageId: string;
  fromSessionId: string;
  fromMessageId: string;
  mergedCommit: string | null;
  commitSha: string | null;
  strategy: 'ours' | 'theirs' | null;
  createdAt: string;
}

export interface AnswerSummary {
  commits?: string[];
  gitBranch?: string | null;
  stopReason?: string | null;
  unpriced?: boolean;
}

export interface Model {
  name: string;
  provider: string;
  contextWindow: number | null;
  default: boolean;
}

export interface Provider {
  name: string;
  kind: string;
  baseUrl: string;
  source: string;
  hasKey: boolean;
  keyHint: string | null;
}

export const sessionsKey = (projectId: string) => ['project', projectId, 'sessions'] as const;

export const sessionsQuery = (projectId: string) =>
  queryOptions({
    queryKey: sessionsKey(projectId),
    queryFn: async ({ signal }) => (await api.json<{ items: Session[] }>(`/api/projects/${projectId}/sessions?limit=200`, { signal })).items,
  });

export const sessionTreeQuery = (projectId: string, sessionId: string) =>
  queryOptions({
    queryKey: ['project', projectId, 'session', sessionId],
    queryFn: ({ signal }) => api.json<SessionTree>(`/api/sessions/${sessionId}`, { signal }),
  });

export const answerQuery = (projectId: string, sessionId: string, messageId: string) =>
  queryOptions({
    queryKey: ['project', projectId, 'session', sessionId, 'answer', messageId],
    queryFn: ({ signal }) => api.json<AnswerSummary>(`/api/sessions/${sessionId}/messages/${messageId}/answer`, { signal }),
    staleTime: Infinity,
    retry: false,
  });

export const providersQuery = queryOptions({
  queryKey: ['providers'],
  queryFn: async () => (await api.json<{ items: Provider[] }>('/api/providers')).items,
  staleTime: 60_000,
});

export const modelsQuery = (providers: string[]) =>
  queryOptions({
    queryKey: ['models', providers],
    queryFn: async () => {
      const lists = await Promise.all(providers.map((p) => api.json<{ items: Model[] }>(`/api/models?provider=${encodeURIComponent(p)}`)));
      return lists.flatMap((l) => l.items);
    },
    staleTime: 5 * 60_000,
  });

export const createSession = (projectId: string, title?: string) =>
  api.json<Session>(`/api/projects/${projectId}/sessions`, { method: 'POST', body: title ? { title } : {} });
export const renameSession = (sessionId: string, title: string) => api.json<Session>(`/api/sessions/${sessionId}`, { method: 'PATCH', body: { title } });
export const deleteSession = (sessionId: string) => api.json<void>(`/api/sessions/${sessionId}`, { method: 'DELETE' });
export const switchLeaf = (sessionId: string, leafId: string, commitFirst?: boolean) =>
  api.json(`/api/sessions/${sessionId}/current`, { method: 'PUT', body: { leafId, ...(commitFirst !== undefined ? { commitFirst } : {}) } });
export const stopMessage = (sessionId: string, messageId: string) => api.json(`/api/sessions/${sessionId}/messages/${messageId}/stop`, { method: 'POST' });
export const undoCommit = (projectId: string, commit: string) =>
  api.json<{ undone: string; head: string }>(`/api/projects/${projectId}/git/undo`, { method: 'POST', body: { commit } });

/**
 * Posts a prompt; the answer comes back as a Server-Sent Event stream (read by lib/answer-stream.ts).
 * A prompt the server refuses before answering (409 `uncommitted_changes` when it would start a new
 * branch over the user's edits) throws before any stream starts; `commitFirst` commits them first.
 */
export function postMessage(sessionId: string, content: string, parentId: string | null, model: string | null, signal: AbortSignal, commitFirst = false): Promise<Response> {
  return api.raw(`/api/sessions/${sessionId}/messages`, {
    method: 'POST',
    body: { content, ...(parentId ? { parentId } : {}), ...(model ? { model } : {}), ...(commitFirst ? { commitFirst } : {}) },
    headers: { Accept: 'text/event-stream' },
    signal,
  });
}

/** A new answer to a user message (or a sibling of an assistant message), streamed like postMessage. */
export function regenerate(sessionId: string, messageId: string, model: string | null, signal: AbortSignal): Promise<Response> {
  return api.raw(`/api/sessions/${sessionId}/messages/${messageId}/regenerate`, {
    method: 'POST',
    body: model ? { model } : {},
    headers: { Accept: 'text/event-stream' },
    signal,
  });
}

/** Commits the user's uncommitted edits (all of them) so an answer may start its branch. */
export const commitEdits = (projectId: string) =>
  api.json<{ sha: string }>(`/api/projects/${projectId}/git/commits`, { method: 'POST', body: { message: 'Edits made in the workbench' } });

export const decideApproval = (sessionId: string, approvalId: string, approve: boolean) =>
  api.json(`/api/sessions/${sessionId}/approvals/${approvalId}`, { method: 'POST', body: { approve } });

/** The session list, filtered by a search text and optionally with archived sessions. */
export const sessionListQuery = (projectId: string, q: string, includeArchived: boolean) =>
  queryOptions({
    queryKey: ['project', projectId, 'sessions', 'list', q, includeArchived],
    queryFn: async ({ signal }) =>
      (await api.json<{ items: Session[] }>(`/api/projects/${projectId}/sessions?limit=200&includeArchived=${includeArchived}${q ? `&q=${encodeURIComponent(q)}` : ''}`, { signal })).items,
  });

export const archiveSession = (sessionId: string, archived: boolean) => api.json<Session>(`/api/sessions/${sessionId}`, { method: 'PATCH', body: { archived } });
export const forkSession = (sessionId: string, messageId: string) => api.json<Session>(`/api/sessions/${sessionId}/fork`, { method: 'POST', body: { messageId } });
export const exportSession = (sessionId: string, format: 'json' | 'markdown') => api.raw(`/api/sessions/${sessionId}/export?format=${format}`);
export const importSession = (projectId: string, exported: unknown) => api.json<Session>(`/api/projects/${projectId}/sessions:import`, { method: 'POST', body: exported });

/** A new version of the session's first prompt (the API's explicit root marker). */
export function postRootMessage(sessionId: string, content: string, model: string | null, signal: AbortSignal): Promise<Response> {
  return api.raw(`/api/sessions/${sessionId}/messages`, {
    method: 'POST',
    body: { content, asRoot: true, ...(model ? { model } : {}) },
    headers: { Accept: 'text/event-stream' },
    signal,
  });
}

/** Reattaches to an answer still streaming on the server (after a reload): the stream replays from the start. */
export const attachAnswer = (sessionId: string, messageId: string, signal: AbortSignal) =>
  api.raw(`/api/sessions/${sessionId}/messages/${messageId}/stream`, { headers: { Accept: 'text/event-stream' }, signal });

export interface ContextView {
  turn: number;
  head: string | null;
  budgetTokens: number;
  tokenCount: number;
  sources: Array<{ kind: string; title: string; tokens: number; files: string[]; truncated: boolean }>;
  filesSent: Array<{ path: string; hash: string; whole: boolean }>;
  excluded: Array<{ path: string; reason: string }>;
}

export interface PromptPreview {
  model: string;
  system: string;
  messages: Array<{ role: string; content: string }>;
  tools: Array<{ name: string; description: string }>;
  estimatedTokens: number;
  context: ContextView;
}

export const promptPreviewQuery = (sessionId: string, content: string, parentId: string | null, model: string | null) =>
  queryOptions({
    queryKey: ['prompt-preview', sessionId, content, parentId, model],
    queryFn: ({ signal }) => {
      const query = new URLSearchParams({ content: content || '(your next prompt)' });
      if (parentId) query.set('parentId', parentId);
      if (model) query.set('model', model);
      return api.json<PromptPreview>(`/api/sessions/${sessionId}/prompt-preview?${query}`, { signal });
    },
    staleTime: 0,
    retry: false,
  });

export const contextQuery = (sessionId: string, messageId: string) =>
  queryOptions({
    queryKey: ['context', sessionId, messageId],
    queryFn: ({ signal }) => api.json<ContextView>(`/api/sessions/${sessionId}/messages/${messageId}/context`, { signal }),
    retry: false,
  });

export interface PromptVersion {
  version: number;
  content: string;
  authorId: string | null;
  createdAt: string;
}

/** Where a prompt template lives: the user's own, the project's, or one session's. */
export type PromptScope = { kind: 'user' } | { kind: 'project'; projectId: string } | { kind: 'session'; sessionId: string };

const promptBase = (scope: PromptScope) =>
  scope.kind === 'user' ? '/api/me/prompt' : scope.kind === 'project' ? `/api/projects/${scope.projectId}/prompt` : `/api/sessions/${scope.sessionId}/prompt`;

export const promptVersionsQuery = (scope: PromptScope) =>
  queryOptions({
    queryKey: ['prompt-template', promptBase(scope)],
    queryFn: ({ signal }) => api.json<{ scope: string; versions: PromptVersion[] }>(promptBase(scope), { signal }),
  });

export const savePromptTemplate = (scope: PromptScope, content: string) => api.json<PromptVersion>(promptBase(scope), { method: 'PUT', body: { content } });

export const promptDiffQuery = (scope: PromptScope, from: number, to: number) =>
  queryOptions({
    queryKey: ['prompt-template', promptBase(scope), 'diff', from, to],
    queryFn: ({ signal }) => api.json<{ from: number; to: number; diff: string }>(`${promptBase(scope)}/diff?from=${from}&to=${to}`, { signal }),
  });

export interface CommitSummary {
  commit: { sha: string; subject: string };
  files: Array<{ path: string; additions: number | null; deletions: number | null }>;
}

/** A commit with its files' line counts (for the branch map's diffstat); patches are cut to nothing. */
export const commitSummaryQuery = (projectId: string, sha: string) =>
  queryOptions({
    queryKey: ['project', projectId, 'commit-summary', sha],
    queryFn: ({ signal }) => api.json<CommitSummary>(`/api/projects/${projectId}/git/commits/${sha}?maxPatchChars=1`, { signal }),
    staleTime: Infinity,
  });

/** A conflicting file of a merge and its hunks (none for a modify/delete or binary conflict). */
export interface MergeConflict {
  path: string;
  hunks: Array<{ line: number; ours: string; theirs: string }>;
}

export interface MergeRequest {
  fromLeafId?: string;
  fromSessionId?: string;
  strategy?: 'ours' | 'theirs';
  commitFirst?: boolean;
}

export interface MergeResult {
  messageId: string;
  commit: string;
  mergedCommit: string;
  files: string[];
  settled: MergeConflict[];
  summary: string;
  tree: SessionTree;
}

/** Merges a branch of this session (`fromLeafId`) or another session of the project (`fromSessionId`) into the current leaf; 409 `merge_conflict` carries `conflicts`. */
export const mergeIntoSession = (sessionId: string, body: MergeRequest) => api.json<MergeResult>(`/api/sessions/${sessionId}/merge`, { method: 'POST', body });
