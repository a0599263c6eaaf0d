import { useQuery } from '@tanstack/react-query';
import { FolderGit2, Hourglass, MessageCircleQuestion, Network, Workflow } from 'lucide-react';
import { Link } from 'react-router';
import { ErrorText } from '@/components/Dialog';
import { activeFlowRunsQuery, type ActiveFlowRun } from '../api';
import { useFlowRunFeed } from '../lib/flow-run-feed';
import { formatDuration } from '../lib/format';

/**
 * The flow runs on the board: every run that is running or waiting at a user input, in the
 * user's projects (the chat idle at its input is not one), the longest waiting first, live from
 * the projects' `flow.run` events. A card opens its session, where the run's input is answered.
 */
export function FlowRunsSection({ now, project, state }: { now: number; project: string; state: string }) {
  useFlowRunFeed();
  const runs = useQuery(activeFlowRunsQuery());
  const wanted = state === 'awaitingInput' ? 'paused' : state === 'working' ? 'running' : null;
  const shown = (runs.data ?? []).filter((r) => (!project || r.projectId === project) && (!wanted || r.state === wanted));
  if (runs.error) return <ErrorText error={runs.error} />;
  if (shown.length === 0) return null;
  const paused = shown.filter((r) => r.state === 'paused').length;
  return (
    <section className="board-group flow-runs-group" aria-label="Flow runs">
      <header className="group-head">
        <Workflow size={14} aria-hidden />
        <h2>Flow runs</h2>
        <span className="spacer" />
        <span className="hint">
          {shown.length} active{paused ? ` · ${paused} waiting for input` : ''}
        </span>
      </header>
      <div className="card-grid">
        {shown.map((run) => (
          <FlowRunCard key={run.id} run={run} now={now} />
        ))}
      </div>
    </section>
  );
}

function FlowRunCard({ run, now }: { run: ActiveFlowRun; now: number }) {
  const since = Date.parse(run.since);
  const paused = run.state === 'paused';
  const state = paused ? 'awaitingInput' : 'processing';
  const label = paused ? 'Needs input' : 'Running';
  return (
    <article className={`agent-card flow-run-card state-${state}`} aria-label={`Flow run ${run.flow} in ${run.sessionTitle}`} data-state={run.state}>
      <header className="agent-card-head">
        <span className={`state-pill pill-${state}`} role="status" aria-label={`State: ${label}`}>
          <span className="state-dot" aria-hidden />
          {label}
        </span>
        <span className="state-time" title={`since ${new Date(since).toLocaleString()}`} aria-label="Time in state">
          <Hourglass size={11} aria-hidden /> {formatDuration(now - since)}
        </span>
        <span className="spacer" />
        <span className="agent-kind" title="Flow template">
          <Workflow size={12} aria-hidden /> {run.flow}
        </span>
      </header>
      <h3 className="agent-name">{run.sessionTitle}</h3>
      <p className="flow-run-node">
        <Network size={12} aria-hidden /> {paused ? 'Paused at' : 'At'} node <code>{run.nodeId ?? '—'}</code>
      </p>
      {paused && run.pausedPrompt && (
        <div className="agent-said" aria-label="Asks">
          <MessageCircleQuestion size={12} aria-hidden />
          <span className="clamp-2">{run.pausedPrompt}</span>
        </div>
      )}
      <footer className="agent-card-foot">
        <span title="Project">
          <FolderGit2 size={11} aria-hidden /> {run.projectName}
        </span>
        <span className="spacer" />
        <Link className="button flow-run-open" to={`/p/${run.projectId}?session=${run.sessionId}`} aria-label={`Open session ${run.sessionTitle}`}>
          {paused ? 'Answer' : 'Open session'}
        </Link>
      </footer>
    </article>
  );
}
