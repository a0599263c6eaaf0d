import { useCallback } from 'react';
import { useSearchParams } from 'react-router';
import { AgentBoard, type BoardFilters } from '@/features/agents/components/AgentBoard';
import { TopBar } from '../TopBar';
import { useAgentFeedStatus } from '../AgentFeed';

/** `/agents`: the board of every agent, filters and the selected agent in the address (shareable, survives a reload). */
export default function AgentsRoute() {
  const [params, setParams] = useSearchParams();
  const connected = useAgentFeedStatus();
  const filters: BoardFilters = { state: params.get('state') ?? '', project: params.get('project') ?? '', kind: params.get('kind') ?? '' };
  const update = useCallback(
    (change: Record<string, string | null>) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          for (const [key, value] of Object.entries(change)) {
            if (value) next.set(key, value);
            else next.delete(key);
          }
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  return (
    <div className="page agents-page">
      <TopBar title="Agents" />
      <AgentBoard
        filters={filters}
        onFilters={(f) => update({ state: f.state ?? filters.state, project: f.project ?? filters.project, kind: f.kind ?? filters.kind })}
        selected={params.get('agent')}
        onSelect={(id) => update({ agent: id })}
        connected={connected}
      />
    </div>
  );
}
