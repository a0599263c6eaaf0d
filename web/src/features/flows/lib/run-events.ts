import type { FlowRun } from '../api';

/** One entry of a run's timeline: an event of its stream, with consecutive text chunks of a node joined into one. */
export interface RunEvent {
  seq: number;
  event: string;
  nodeId: string | null;
  data: Record<string, unknown>;
  /** The streamed text, for `chunk` entries. */
  text?: string;
}

export const terminalEvents = new Set(['done', 'error', 'cancelled']);

/** Parses one SSE message of a run's stream (its data, or a bus-style envelope around it). */
export function parseRunEvent(id: string | undefined, event: string, raw: string): RunEvent {
  let parsed: Record<string, unknown> = {};
  try {
    const value: unknown = raw ? JSON.parse(raw) : {};
    if (value && typeof value === 'object') parsed = value as Record<string, unknown>;
  } catch {
    parsed = { text: raw };
  }
  const data = parsed.data && typeof parsed.data === 'object' && !('nodeId' in parsed) ? (parsed.data as Record<string, unknown>) : parsed;
  const nodeId = typeof data.nodeId === 'string' ? data.nodeId : null;
  const seq = Number(id);
  return { seq: Number.isFinite(seq) ? seq : -1, event, nodeId, data, ...(event === 'chunk' ? { text: typeof data.text === 'string' ? data.text : '' } : {}) };
}

/** The timeline with one more event: replays (a seq already seen) are dropped, chunks of one node join. */
export function appendEvent(list: RunEvent[], next: RunEvent): RunEvent[] {
  const last = list[list.length - 1];
  if (next.seq >= 0 && last && last.seq >= next.seq) return list;
  if (next.event === 'chunk' && last?.event === 'chunk' && last.nodeId === next.nodeId) {
    return [...list.slice(0, -1), { ...last, seq: next.seq, text: (last.text ?? '') + (next.text ?? '') }];
  }
  return [...list, next];
}

/** The run as an event says it is now, so the chat header follows the stream without a round trip. */
export function applyToRun(run: FlowRun, event: RunEvent): FlowRun {
  const at = typeof event.data.at === 'string' ? event.data.at : run.updatedAt;
  switch (event.event) {
    case 'nodeStart':
      return { ...run, state: 'running', currentNodeId: event.nodeId, pausedNodeId: null, pausedPrompt: null, updatedAt: at };
    case 'waitingForInput':
      return { ...run, state: 'paused', currentNodeId: event.nodeId, pausedNodeId: event.nodeId, pausedPrompt: typeof event.data.prompt === 'string' ? event.data.prompt : null, updatedAt: at };
    case 'nodeEnd': {
      const cost = typeof event.data.costUsd === 'number' ? event.data.costUsd : 0;
      return { ...run, costUsd: run.costUsd + cost, unpriced: run.unpriced || event.data.unpriced === true, updatedAt: at };
    }
    case 'done':
      return { ...run, state: 'completed', pausedNodeId: null, pausedPrompt: null, endedAt: at, updatedAt: at };
    case 'error':
      return {
        ...run,
        state: 'failed',
        pausedNodeId: null,
        endedAt: at,
        updatedAt: at,
        error: { code: String(event.data.code ?? 'flow_failed'), detail: String(event.data.detail ?? 'The run failed.'), nodeId: event.nodeId },
      };
    case 'cancelled':
      return { ...run, state: 'cancelled', pausedNodeId: null, endedAt: at, updatedAt: at };
    default:
      return run;
  }
}

/** What the chat header says about a run. */
export function describeRun(run: FlowRun): string {
  switch (run.state) {
    case 'running':
      return run.currentNodeId ? `running ${run.currentNodeId}` : 'running';
    case 'paused':
      return `paused at ${run.pausedNodeId ?? run.currentNodeId ?? '?'}`;
    case 'failed':
      return run.error ? `failed${run.error.nodeId ? ` at ${run.error.nodeId}` : ''}: ${run.error.detail}` : 'failed';
    default:
      return run.state;
  }
}
