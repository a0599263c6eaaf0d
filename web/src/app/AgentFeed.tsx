import { create } from 'zustand';
import { useEffect } from 'react';
import { AgentToasts } from '@/features/agents/components/AgentToasts';
import { useAgentEvents } from './useAgentEvents';

const useFeedStatus = create<{ connected: boolean }>(() => ({ connected: true }));

/** Whether the agent feed is connected (the board says so when it is not). */
export function useAgentFeedStatus(): boolean {
  return useFeedStatus((s) => s.connected);
}

/** Keeps the agent feed open on every page behind the login and shows its alerts as toasts. */
export function AgentFeed() {
  const connected = useAgentEvents();
  useEffect(() => useFeedStatus.setState({ connected }), [connected]);
  return <AgentToasts />;
}
