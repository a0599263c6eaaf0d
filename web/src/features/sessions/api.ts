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
