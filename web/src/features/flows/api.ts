import { queryOptions, type QueryClient } from '@tanstack/react-query';
import { api, query } from '@/lib/api-client';

/** A node of a flow template (the contract's FlowGraph); fields unused by a type are absent. */
export type FlowNodeType = 'userInput' | 'llm' | 'action' | 'condition' | 'end';

export interface FlowNode {
  id: string;
  type: FlowNodeType | string;
  prompt?: string | null;
  output?: string | null;
  model?: string | null;
  tools?: boolean;
  action?: 'command' | 'edits' | string;
  command?: string | null;
  from?: string | null;
  expression?: string | null;
}

export interface FlowEdge {
  from: string;
  to: string;
  when?: 'true' | 'false' | null;
}

export interface FlowGraph {
  name: string;
  description?: string | null;
  start?: string | null;
  nodes: FlowNode[];
  edges: FlowEdge[];
  layout?: Record<string, { x: number; y: number }> | null;
}

export interface FlowProblem {
  code: string;
  message: string;
  nodeId?: string | null;
  edge?: { from: string; to: string } | null;
}

export type FlowSource = 'builtin' | 'project' | 'user';

export interface FlowSummary {
  name: string;
  description: string | null;
  source: FlowSource;
  valid: boolean;
}

export interface FlowTemplate {
  name: string;
  source: FlowSource;
  format: 'yaml' | 'json';
  text: string;
  graph: FlowGraph;
  problems: FlowProblem[];
}

export type FlowRunState = 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';

export interface FlowCheckpoint {
  seq: number;
  nodeId: string;
  phase: 'start' | 'end';
  at: string;
  commit: string | null;
  durationMs: number | null;
  costUsd: number | null;
  inputs: Record<string, unknown> | null;
  outputs: Record<string, unknown> | null;
}

export interface FlowRun {
  id: string;
  sessionId: string;
  flow: string;
  state: FlowRunState;
  currentNodeId: string | null;
  pausedNodeId: string | null;
  pausedPrompt: string | null;
  variables: Record<string, unknown>;
  startedAt: string;
  updatedAt: string;
  endedAt: string | null;
  error: { code: string; detail: string; nodeId?: string | null } | null;
  costUsd: number;
  unpriced: boolean;
  checkpoints?: FlowCheckpoint[];
}

/** A run that still holds the session: a new prompt answers it (paused) or waits for it (running). */
export const isActive = (run: FlowRun | null | undefined): run is FlowRun => !!run && (run.state === 'running' || run.state === 'paused');

const flowsKey = (projectId: string) => ['project', projectId, 'flows'] as const;

export const flowsQuery = (projectId: string) =>
  queryOptions({
    queryKey: flowsKey(projectId),
    queryFn: async ({ signal }) => (await api.json<{ items: FlowSummary[] }>(`/api/projects/${projectId}/flows`, { signal })).items,
  });

export const flowQuery = (projectId: string, name: string) =>
  queryOptions({
    queryKey: [...flowsKey(projectId), name],
    queryFn: ({ signal }) => api.json<FlowTemplate>(`/api/projects/${projectId}/flows/${encodeURIComponent(name)}`, { signal }),
  });

export type FlowBody = { graph: FlowGraph } | { text: string; format: 'yaml' | 'json' };

export function saveFlow(projectId: string, name: string, body: FlowBody, scope: 'project' | 'user' = 'project') {
  return api.json<FlowTemplate>(`/api/projects/${projectId}/flows/${encodeURIComponent(name)}${query({ scope: scope === 'user' ? 'user' : null })}`, { method: 'PUT', body });
}

export function deleteFlow(projectId: string, name: string, source: FlowSource) {
  return api.json<void>(`/api/projects/${projectId}/flows/${encodeURIComponent(name)}${query({ scope: source === 'user' ? 'user' : null })}`, { method: 'DELETE' });
}

export function validateFlow(projectId: string, body: FlowBody, signal?: AbortSignal) {
  return api.json<{ valid: boolean; problems: FlowProblem[] }>(`/api/projects/${projectId}/flows:validate`, { method: 'POST', body, signal });
}

export const sessionRunsKey = (sessionId: string) => ['flow-runs', 'session', sessionId] as const;
export const runKey = (runId: string) => ['flow-runs', 'run', runId] as const;

export const sessionRunsQuery = (sessionId: string) =>
  queryOptions({
    queryKey: sessionRunsKey(sessionId),
    queryFn: async ({ signal }) => (await api.json<{ items: FlowRun[] }>(`/api/sessions/${sessionId}/flow-runs?limit=20`, { signal })).items,
  });

export const runQuery = (runId: string) =>
  queryOptions({
    queryKey: runKey(runId),
    queryFn: ({ signal }) => api.json<FlowRun>(`/api/flow-runs/${runId}`, { signal }),
  });

export function startRun(sessionId: string, flow: string, input?: string) {
  return api.json<FlowRun>(`/api/sessions/${sessionId}/flow-runs`, { method: 'POST', body: input === undefined ? { flow } : { flow, input } });
}

export function answerRun(runId: string, content: string) {
  return api.json<FlowRun>(`/api/flow-runs/${runId}/input`, { method: 'POST', body: { content } });
}

export function cancelRun(runId: string) {
  return api.json<FlowRun>(`/api/flow-runs/${runId}:cancel`, { method: 'POST' });
}

/** Puts a run the server just answered with into the cache, so the header changes before any event. */
export function rememberRun(client: QueryClient, run: FlowRun) {
  client.setQueryData<FlowRun>(runKey(run.id), (old) => ({ ...old, ...run, checkpoints: run.checkpoints ?? old?.checkpoints }));
  client.setQueryData<FlowRun[]>(sessionRunsKey(run.sessionId), (old) => [run, ...(old ?? []).filter((r) => r.id !== run.id)]);
}
