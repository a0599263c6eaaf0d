import type { QueryClient } from '@tanstack/react-query';
import { agentsKey, type Agent, type AgentBoardEvent } from '../api';
import { alertFor, raiseAlert } from './agent-alerts';

/** How long the feed gathers events before it writes them to the cache: a busy board re-renders at most this often. */
const flushInterval = 100;

/**
 * Writes the board's live feed into the query cache. Events are gathered and applied together
 * (only the newest version of each agent matters) so fifty agents sending ten events a second
 * cost ten renders a second, not five hundred; alerts are raised at once.
 */
export function createAgentFeed(client: QueryClient) {
  const pending = new Map<string, Agent>();
  const touched = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    timer = undefined;
    const agents = [...pending.values()];
    pending.clear();
    client.setQueryData<Agent[]>(agentsKey, (list) => mergeAgents(list, agents));
    for (const id of touched) {
      // An open timeline refetches; a closed one is simply marked stale.
      void client.invalidateQueries({ queryKey: ['agents', id], refetchType: 'active' });
    }
    touched.clear();
  };

  return {
    apply(type: string, data: string) {
      if (!type.startsWith('agent.')) return;
      const event = JSON.parse(data) as AgentBoardEvent;
      pending.set(event.agent.id, event.agent);
      if (type !== 'agent.usage') touched.add(event.agent.id);
      const alert = alertFor(type, event);
      if (alert) raiseAlert(alert);
      timer ??= setTimeout(flush, flushInterval);
    },
    /** After a reconnect the feed may have missed events: the list is read again. */
    resync() {
      void client.invalidateQueries({ queryKey: agentsKey });
    },
    close() {
      clearTimeout(timer);
    },
  };
}

/** The list with each agent replaced by its newer version, new agents first. */
export function mergeAgents(list: Agent[] | undefined, changed: Agent[]): Agent[] | undefined {
  if (!list) return list;
  if (changed.length === 0) return list;
  const byId = new Map(changed.map((a) => [a.id, a]));
  const next = list.map((a) => byId.get(a.id) ?? a);
  const known = new Set(list.map((a) => a.id));
  const fresh = changed.filter((a) => !known.has(a.id));
  return fresh.length > 0 ? [...fresh, ...next] : next;
}
