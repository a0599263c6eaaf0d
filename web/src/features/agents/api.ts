import { queryOptions } from '@tanstack/react-query';
import { api, query } from '@/lib/api-client';

/** A task's state (the seed's state machine); an agent's state is its open task's, idle without one. */
export type AgentState = 'idle' | 'commanded' | 'processing' | 'awaitingInput' | 'complete';

export interface AgentUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cost: number;
}

export interface AgentProject {
  id: string;
  path: string;
  name: string;
  remote: string | null;
  branch: string | null;
  wrightProjectId: string | null;
}

export interface AgentTask {
  id: string;
  state: AgentState;
  waitingOn: string | null;
  startedAt: string;
  stateChangedAt: string;
  completedAt: string | null;
  endReason: string | null;
  usage: AgentUsage | null;
}

export interface AgentTurn {
  id: string;
  taskId: string;
  actor: 'user' | 'agent';
  intent: 'command' | 'answer' | 'question' | 'completion' | 'progress';
  text: string | null;
  commit: string | null;
  at: string;
  usage: AgentUsage | null;
}

export interface AgentEvent {
  id: string;
  type: string;
  taskId: string | null;
  turnId: string | null;
  at: string;
  payload: unknown;
}

/** An agent as the board shows it (`GET /api/agents`). */
export interface Agent {
  id: string;
  kind: 'claude-code' | 'wright' | (string & {});
  name: string | null;
  state: AgentState;
  stale: boolean;
  ended: boolean;
  project: AgentProject;
  currentTask: AgentTask | null;
  command: string | null;
  lastAgentText: string | null;
  terminalPane: string | null;
  sessionUuid: string | null;
  agentSessionId: string | null;
  startedAt: string;
  lastSeenAt: string;
  endedAt: string | null;
  usage: AgentUsage;
}

export interface AgentDetail {
  agent: Agent;
  tasks: AgentTask[];
  turns: AgentTurn[];
  events: AgentEvent[];
}

export interface CommitFile {
  path: string;
  change: string;
  additions: number | null;
  deletions: number | null;
}

export interface AgentCommit {
  sha: string;
  subject: string;
  author: { name: string; email: string; date: string };
  committer: { name: string; email: string; date: string };
  files: CommitFile[];
  filesTruncated: boolean;
}

/** What each task committed; `unavailable` says why there is nothing to show. */
export interface AgentCommits {
  wrightProjectId: string | null;
  unavailable: string | null;
  tasks: Array<{ taskId: string; commits: AgentCommit[] }>;
}

/** One `agent.*` event of `/api/agents/events`. */
export interface AgentBoardEvent {
  agent: Agent;
  from: AgentState | null;
  to: AgentState | null;
  turn: AgentTurn | null;
}

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The most agents the board holds; past it the oldest are left out (ended ones go first, newest first from the server). */
const maxAgents = 1000;

export const agentsKey = ['agents', 'list'] as const;

/** Every agent of the user (the board filters on the client, so the live feed keeps one list). */
export const agentsQuery = () =>
  queryOptions({
    queryKey: agentsKey,
    queryFn: async ({ signal }) => {
      const all: Agent[] = [];
      let cursor: string | null = null;
      do {
        const page: Page<Agent> = await api.json<Page<Agent>>(`/api/agents${query({ limit: 200, cursor })}`, { signal });
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor && all.length < maxAgents);
      return all;
    },
    staleTime: Infinity,
  });

export const agentDetailQuery = (id: string) =>
  queryOptions({
    queryKey: ['agents', id, 'detail'],
    queryFn: ({ signal }) => api.json<AgentDetail>(`/api/agents/${id}`, { signal }),
  });

export const agentCommitsQuery = (id: string) =>
  queryOptions({
    queryKey: ['agents', id, 'commits'],
    queryFn: ({ signal }) => api.json<AgentCommits>(`/api/agents/${id}/commits`, { signal }),
  });

/** A flow run the board shows (`GET /api/flow-runs`): running, or paused at a user input. */
export interface ActiveFlowRun {
  id: string;
  sessionId: string;
  sessionTitle: string;
  projectId: string;
  projectName: string;
  flow: string;
  state: 'running' | 'paused';
  nodeId: string | null;
  pausedPrompt: string | null;
  since: string;
  startedAt: string;
}

export const activeFlowRunsKey = ['flow-runs', 'active'] as const;

/** Active flow runs of the user's projects; the board's feed refetches it on every `flow.run` event. */
export const activeFlowRunsQuery = () =>
  queryOptions({
    queryKey: activeFlowRunsKey,
    queryFn: ({ signal }) => api.json<ActiveFlowRun[]>('/api/flow-runs?state=running,paused', { signal }),
    staleTime: Infinity,
  });
