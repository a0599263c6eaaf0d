import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { CircleAlert, Plus, Trash2, Workflow } from 'lucide-react';
import { ErrorText } from '@/components/Dialog';
import { deleteFlow, flowsQuery, sessionRunsQuery, type FlowSource, type FlowSummary } from '../api';
import { describeRun } from '../lib/run-events';

const sourceTitle: Record<FlowSource, string> = { builtin: 'Built in', project: 'In the project', user: 'Mine' };
export const flowNamePattern = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** The Flows side view: the templates by where they live (create, open, delete) and the current session's runs. */
export function FlowsPanel({ projectId, sessionId, openFlow }: { projectId: string; sessionId: string | null; openFlow: string | null }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const flows = useQuery(flowsQuery(projectId));
  const runs = useQuery({ ...sessionRunsQuery(sessionId ?? ''), enabled: !!sessionId });
  const [creating, setCreating] = useState<{ name: string; scope: 'project' | 'user' } | null>(null);
  const remove = useMutation({
    mutationFn: (flow: FlowSummary) => deleteFlow(projectId, flow.name, flow.source),
    onSuccess: (_, flow) => {
      void client.invalidateQueries({ queryKey: flowsQuery(projectId).queryKey });
      if (flow.name === openFlow) void navigate(`/p/${projectId}/flows`);
    },
  });
  const taken = new Set((flows.data ?? []).map((f) => f.name));
  const nameProblem = creating && creating.name && (!flowNamePattern.test(creating.name) ? 'Lower-case letters, digits and dashes.' : taken.has(creating.name) ? 'That name is taken.' : null);

  return (
    <div className="flows-panel">
      <div className="side-toolbar">
        <button className="icon" aria-label="New flow" title="New flow" onClick={() => setCreating({ name: '', scope: 'project' })}>
          <Plus size={15} />
        </button>
      </div>
      {creating && (
        <form
          className="flow-new"
          aria-label="New flow"
          onSubmit={(e) => {
            e.preventDefault();
            if (!creating.name || nameProblem) return;
            setCreating(null);
            void navigate(`/p/${projectId}/flows/${creating.name}?new=${creating.scope}`);
          }}
        >
          <input autoFocus aria-label="Flow name" placeholder="flow-name" value={creating.name} onChange={(e) => setCreating({ ...creating, name: e.target.value.trim() })} />
          <select aria-label="Saved" value={creating.scope} onChange={(e) => setCreating({ ...creating, scope: e.target.value as 'project' | 'user' })}>
            <option value="project">in the project (.wright/flows)</option>
            <option value="user">only for me</option>
          </select>
          {nameProblem && <p className="form-error">{nameProblem}</p>}
          <div className="dialog-buttons">
            <button type="button" onClick={() => setCreating(null)}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={!creating.name || !!nameProblem}>
              Create
            </button>
          </div>
        </form>
      )}
      <ErrorText error={flows.error ?? remove.error} />
      {(['builtin', 'project', 'user'] as const).map((source) => {
        const items = (flows.data ?? []).filter((f) => f.source === source);
        if (items.length === 0 && source !== 'project') return null;
        return (
          <section key={source} className="flow-group" aria-label={sourceTitle[source]}>
            <h4 className="flow-group-title">{sourceTitle[source]}</h4>
            <ul className="flow-list">
              {items.map((flow) => (
                <li key={flow.name} className={flow.name === openFlow ? 'flow-row active' : 'flow-row'}>
                  <button className="flow-open" onClick={() => void navigate(`/p/${projectId}/flows/${flow.name}`)} aria-label={`Open flow ${flow.name}`} title={flow.description ?? flow.name}>
                    <Workflow size={13} aria-hidden />
                    <span className="flow-name">{flow.name}</span>
                    {flow.description && <span className="flow-desc">{flow.description}</span>}
                    {!flow.valid && <CircleAlert size={12} className="flow-invalid" aria-label="invalid" />}
                  </button>
                  {source !== 'builtin' && (
                    <button
                      className="icon"
                      aria-label={`Delete flow ${flow.name}`}
                      title="Delete"
                      onClick={() => confirm(`Delete the flow ${flow.name}?`) && remove.mutate(flow)}
                    >
                      <Trash2 size={12} />
                    </button>
                  )}
                </li>
              ))}
              {items.length === 0 && <li className="empty-state small">No project flows yet — create one with +.</li>}
            </ul>
          </section>
        );
      })}
      {sessionId && (runs.data ?? []).length > 0 && (
        <section className="flow-group" aria-label="Runs of this session">
          <h4 className="flow-group-title">Runs of this session</h4>
          <ul className="flow-list">
            {(runs.data ?? []).map((run) => (
              <li key={run.id} className="flow-row">
                <button className="flow-open" onClick={() => void navigate(`/p/${projectId}/flow-runs/${run.id}`)} aria-label={`Inspect run of ${run.flow}`}>
                  <span className={`flow-dot flow-dot-${run.state}`} aria-hidden />
                  <span className="flow-name">{run.flow}</span>
                  <span className="flow-desc">{describeRun(run)}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
