import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { CircleAlert, CirclePause, CircleStop, ScanSearch } from 'lucide-react';
import { ErrorText } from '@/components/Dialog';
import { cancelRun, isActive, rememberRun, runQuery } from '../api';
import { stepsOf } from '../lib/steps';
import { describeRun, type RunEvent } from '../lib/run-events';
import { useRunEvents } from '../lib/run-stream';

const time = (at: unknown) => (typeof at === 'string' ? new Date(at).toLocaleTimeString([], { hour12: false }) : '');
const duration = (ms: number | null) => (ms === null ? '—' : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);
const cost = (usd: number | null) => (usd === null ? '—' : `$${usd.toFixed(4)}`);

/** The run inspector (`/p/:projectId/flow-runs/:runId`): its state and reason, its events as a timeline, each node's inputs, outputs, duration and cost. */
export default function RunInspector({ projectId, runId }: { projectId: string; runId: string }) {
  const client = useQueryClient();
  const run = useQuery(runQuery(runId));
  const events = useRunEvents(runId);
  const steps = useMemo(() => stepsOf(run.data?.checkpoints ?? []), [run.data?.checkpoints]);
  const [chosen, setChosen] = useState<number | null>(null);
  const cancel = useMutation({ mutationFn: () => cancelRun(runId), onSuccess: (r) => rememberRun(client, r) });
  if (run.isPending) return <div className="run-inspector empty-state" aria-busy="true">Loading the run…</div>;
  if (run.error) return <div className="run-inspector empty-state"><ErrorText error={run.error} /></div>;
  const r = run.data;
  const step = chosen !== null ? steps[chosen] : steps[steps.length - 1];
  const stepIndex = chosen ?? steps.length - 1;
  return (
    <section className="run-inspector" aria-label="Run inspector">
      <header className="flow-toolbar">
        <ScanSearch size={14} aria-hidden />
        <span className="flow-title">Run of {r.flow}</span>
        <span className={`flow-state flow-state-${r.state}`} role="status" aria-label="Run state">
          {describeRun(r)}
        </span>
        <span className="hint">
          started {new Date(r.startedAt).toLocaleString()} · {cost(r.costUsd)}
          {r.unpriced ? ' (some calls unpriced)' : ''}
        </span>
        <span className="spacer" />
        <Link className="button" to={`/p/${projectId}/flows/${r.flow}`}>
          Open flow
        </Link>
        {isActive(r) && (
          <button className="danger" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
            <CircleStop size={13} aria-hidden /> Cancel run
          </button>
        )}
      </header>
      <ErrorText error={cancel.error} />
      {r.state === 'paused' && (
        <p className="flow-banner" role="note">
          <CirclePause size={13} aria-hidden /> Paused at <b>{r.pausedNodeId}</b>: {r.pausedPrompt ?? 'waiting for input'} — answer it in the chat.
        </p>
      )}
      {r.state === 'failed' && r.error && (
        <p className="flow-banner error" role="alert">
          <CircleAlert size={13} aria-hidden /> Failed{r.error.nodeId ? ` at ${r.error.nodeId}` : ''}: {r.error.detail} <span className="error-code">({r.error.code})</span>
        </p>
      )}
      <div className="run-body">
        <ol className="run-timeline" aria-label="Timeline">
          {events.map((e) => (
            <TimelineEntry key={`${e.seq}-${e.event}`} event={e} />
          ))}
          {events.length === 0 && <li className="hint">No events yet.</li>}
        </ol>
        <div className="run-steps">
          <table className="grid" aria-label="Nodes">
            <thead>
              <tr>
                <th>Node</th>
                <th>Started</th>
                <th>Duration</th>
                <th>Cost</th>
                <th>Commit</th>
              </tr>
            </thead>
            <tbody>
              {steps.map((s, i) => (
                <tr key={`${s.nodeId}-${i}`} className={i === stepIndex ? 'selected' : ''} onClick={() => setChosen(i)} tabIndex={0} onKeyDown={(e) => e.key === 'Enter' && setChosen(i)} aria-selected={i === stepIndex}>
                  <td className="mono">{s.nodeId}</td>
                  <td>{time(s.startedAt)}</td>
                  <td>{s.endedAt ? duration(s.durationMs) : r.state === 'paused' && r.pausedNodeId === s.nodeId ? 'waiting' : 'running'}</td>
                  <td>{cost(s.costUsd)}</td>
                  <td className="mono">{s.commit?.slice(0, 7) ?? ''}</td>
                </tr>
              ))}
              {steps.length === 0 && (
                <tr>
                  <td colSpan={5} className="hint">
                    No node has run yet.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          {step && (
            <div className="run-step" aria-label={`Node ${step.nodeId}`} role="region">
              <h3>Inputs of {step.nodeId}</h3>
              <pre className="run-json">{JSON.stringify(step.inputs ?? {}, null, 2)}</pre>
              <h3>Outputs of {step.nodeId}</h3>
              <pre className="run-json">{step.endedAt ? JSON.stringify(step.outputs ?? {}, null, 2) : '(not finished)'}</pre>
            </div>
          )}
        </div>
      </div>
    </section>
  );
}

function TimelineEntry({ event }: { event: RunEvent }) {
  const d = event.data;
  let text: string;
  switch (event.event) {
    case 'nodeStart':
      text = `${String(d.type ?? 'node')} started`;
      break;
    case 'nodeEnd':
      text = `ended · ${duration(typeof d.durationMs === 'number' ? d.durationMs : null)} · ${cost(typeof d.costUsd === 'number' ? d.costUsd : null)}`;
      break;
    case 'chunk':
      text = event.text ?? '';
      break;
    case 'waitingForInput':
      text = `waiting: ${String(d.prompt ?? '')}`;
      break;
    case 'error':
      text = `${String(d.detail ?? 'failed')} (${String(d.code ?? '')})`;
      break;
    case 'toolCall': {
      const call = (d.toolCall && typeof d.toolCall === 'object' ? d.toolCall : d) as Record<string, unknown>;
      text = `${String(call.name ?? 'tool')} ${String(call.arguments ?? '')}`.slice(0, 200);
      break;
    }
    case 'toolResult':
      text = `${d.ok === false ? 'failed' : 'ok'} ${String(d.output ?? '')}`.slice(0, 200);
      break;
    default:
      text = '';
  }
  return (
    <li className={`run-event run-event-${event.event}`}>
      <span className="run-event-time">{time(d.at)}</span>
      <span className="run-event-name">{event.event}</span>
      {event.nodeId && <span className="mono run-event-node">{event.nodeId}</span>}
      <span className="run-event-text">{text}</span>
    </li>
  );
}
