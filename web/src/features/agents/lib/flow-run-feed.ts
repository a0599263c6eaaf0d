import { useEffect } from 'react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { openEventStream } from '@/lib/sse';
import { activeFlowRunsKey } from '../api';

/** How long the board waits after a `flow.run` event before it refetches, so a burst of node transitions costs one request. */
export const refetchDelayMs = 150;

/**
 * Keeps the board's flow runs live: the event stream of every project the user can see carries
 * `flow.run` whenever a run changes state or node; each burst refetches the list once.
 */
export function useFlowRunFeed(): void {
  const client = useQueryClient();
  useEffect(() => {
    const refetch = debounced(client);
    const close = openEventStream(api, '/api/events', {
      onStatus: (ok) => ok && refetch.now(),
      onEvent: (event) => {
        if (event.event === 'flow.run') refetch.soon();
      },
    });
    return () => {
      refetch.cancel();
      close();
    };
  }, [client]);
}

/** The refetch of the active runs, at once or after a short quiet spell. */
export function debounced(client: QueryClient) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const now = () => {
    clearTimeout(timer);
    void client.invalidateQueries({ queryKey: activeFlowRunsKey, exact: true });
  };
  return {
    now,
    soon: () => {
      clearTimeout(timer);
      timer = setTimeout(now, refetchDelayMs);
    },
    cancel: () => clearTimeout(timer),
  };
}
