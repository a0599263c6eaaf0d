import { useEffect } from 'react';
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { openEventStream } from '@/lib/sse';
import { runKey, sessionRunsKey, type FlowRun } from '../api';
import { appendEvent, applyToRun, parseRunEvent, terminalEvents, type RunEvent } from './run-events';

export const runEventsKey = (runId: string) => ['flow-runs', 'events', runId] as const;

// One stream per run however many views watch it (the chat and the inspector at once).
const open = new Map<string, { count: number; close: () => void }>();

function subscribe(client: QueryClient, runId: string): () => void {
  const existing = open.get(runId);
  if (existing) {
    existing.count += 1;
  } else {
    const entry: { count: number; close: () => void } = { count: 1, close: () => undefined };
    open.set(runId, entry);
    entry.close = openEventStream(api, `/api/flow-runs/${runId}/events`, {
      onEvent: (message) => {
        const event = parseRunEvent(message.id, message.event, message.data);
        client.setQueryData<RunEvent[]>(runEventsKey(runId), (list) => appendEvent(list ?? [], event));
        const patch = (run: FlowRun | undefined) => (run ? applyToRun(run, event) : run);
        const run = client.setQueryData<FlowRun>(runKey(runId), patch);
        if (run) client.setQueryData<FlowRun[]>(sessionRunsKey(run.sessionId), (runs) => runs?.map((r) => (r.id === runId ? applyToRun(r, event) : r)));
        if (event.event === 'nodeEnd' || event.event === 'waitingForInput' || terminalEvents.has(event.event)) {
          // Checkpoints, variables and totals come from the server once a node is over.
          void client.invalidateQueries({ queryKey: runKey(runId) });
        }
        // A finished run's stream has nothing more to say: stop reconnecting to it.
        if (terminalEvents.has(event.event)) queueMicrotask(() => open.get(runId)?.close());
      },
    });
    const close = entry.close;
    entry.close = () => {
      close();
      open.delete(runId);
    };
  }
  return () => {
    const entry = open.get(runId);
    if (!entry) return;
    entry.count -= 1;
    if (entry.count <= 0) entry.close();
  };
}

/** Follows a run's event stream while mounted; returns its timeline (chunks joined per node). */
export function useRunEvents(runId: string | null): RunEvent[] {
  const client = useQueryClient();
  useEffect(() => (runId ? subscribe(client, runId) : undefined), [client, runId]);
  const events = useQuery({ queryKey: runEventsKey(runId ?? ''), queryFn: () => [] as RunEvent[], enabled: false, staleTime: Infinity, initialData: [] as RunEvent[] });
  return runId ? events.data : [];
}

/** A `flow.run` event of the project's bus: the run and its session's list are out of date. */
export function applyFlowBusEvent(client: QueryClient, data: { runId?: string; sessionId?: string; state?: string; currentNodeId?: string | null; pausedNodeId?: string | null }) {
  if (data.runId) {
    client.setQueryData<FlowRun>(runKey(data.runId), (run) =>
      run && data.state ? { ...run, state: data.state as FlowRun['state'], currentNodeId: data.currentNodeId ?? run.currentNodeId, pausedNodeId: data.pausedNodeId ?? null } : run,
    );
    void client.invalidateQueries({ queryKey: runKey(data.runId) });
  }
  if (data.sessionId) void client.invalidateQueries({ queryKey: sessionRunsKey(data.sessionId) });
}
