import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { openEventStream } from '@/lib/sse';
import { createAgentFeed } from '@/features/agents/lib/agent-feed';

/**
 * The app's one subscription to the agent board's feed, open on every page behind the login so an
 * agent that needs input is announced wherever the user is. Returns whether it is connected.
 */
export function useAgentEvents(): boolean {
  const client = useQueryClient();
  const [connected, setConnected] = useState(true);
  useEffect(() => {
    const feed = createAgentFeed(client);
    let wasConnected = true;
    const close = openEventStream(api, '/api/agents/events', {
      onStatus: (ok) => {
        setConnected(ok);
        if (ok && !wasConnected) feed.resync();
        wasConnected = ok;
      },
      onEvent: (event) => feed.apply(event.event, event.data),
    });
    return () => {
      feed.close();
      close();
    };
  }, [client]);
  return connected;
}
