import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { ChevronDown, ChevronRight, GitCommitHorizontal, History, User, Bot, X } from 'lucide-react';
import { Link } from 'react-router';
import { ErrorText } from '@/components/Dialog';
import { agentCommitsQuery, agentDetailQuery, type Agent, type AgentCommit, type AgentEvent, type AgentTask, type AgentTurn } from '../api';
import { agentLabel, boardState, boardStateLabel, formatCost, formatDuration, formatTokens, kindLabel, stateLabels, totalTokens, waitingOnText } from '../lib/format';

/** An agent's timeline: its tasks newest first, each with its turns, the commits made meanwhile and the raw events. */
export function AgentTimeline({ agentId, agent: live, now, onClose }: { agentId: string; agent: Agent | undefined; now: number; onClose: () => void }) {
  const detail = useQuery(agentDetailQuery(agentId));
  const commits = useQuery(agentCommitsQuery(agentId));
  const agent = live ?? detail.data?.agent;
  const tasks = [...(detail.data?.tasks ?? [])].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
  const commitsOf = new Map((commits.data?.tasks ?? []).map((t) => [t.taskId, t.commits]));
  const state = agent ? boardState(agent) : null;

  return (
    <aside className="agent-timeline" aria-label="Agent timeline">
      <header className="timeline-head">
        <div>
          <h2>{agent ? agentLabel(agent) : 'Agent'}</h2>
          {agent && (
            <div className="hint">
              {kindLabel(agent.kind)} · {agent.project.name} · started {new Date(agent.startedAt).toLocaleString()}
            </div>
          )}
        </div>
        <span className="spacer" />
        {state && <span className={`state-pill pill-${state}`}>{boardStateLabel(state)}</span>}
        <button className="icon" aria-label="Close the timeline" onClick={onClose}>
          <X size={15} />
        </button>
      </header>
      {agent && (
        <dl className="timeline-facts">
          <div>
            <dt>Tokens</dt>
            <dd>
              {formatTokens(agent.usage.inputTokens)} in · {formatTokens(agent.usage.outputTokens)} out · {formatTokens(agent.usage.cacheReadTokens)} cache
            </dd>
          </div>
          <div>
            <dt>Cost</dt>
            <dd>{formatCost(agent.usage.cost)}</dd>
          </div>
          <div>
            <dt>Branch</dt>
            <dd>{agent.project.branch ?? '—'}</dd>
          </div>
          <div>
            <dt>Directory</dt>
            <dd className="mono" title={agent.project.path}>
              {agent.project.path}
            </dd>
          </div>
        </dl>
      )}
      <ErrorText error={detail.error} />
      {commits.data?.unavailable && <p className="hint timeline-note">Commits: {commits.data.unavailable}</p>}
      {detail.isPending && <div className="splash" aria-busy="true" />}
      {detail.data && tasks.length === 0 && <p className="empty-state">No task yet: the agent has not been given a command.</p>}
      <ol className="task-list" aria-label="Tasks">
        {tasks.map((task) => (
          <TaskEntry
            key={task.id}
            task={task}
            now={now}
            turns={detail.data!.turns.filter((t) => t.taskId === task.id)}
            events={detail.data!.events.filter((e) => e.taskId === task.id)}
            commits={commitsOf.get(task.id) ?? []}
            wrightProjectId={commits.data?.wrightProjectId ?? null}
          />
        ))}
      </ol>
    </aside>
  );
}

function TaskEntry({ task, turns, events, commits, wrightProjectId, now }: { task: AgentTask; turns: AgentTurn[]; events: AgentEvent[]; commits: AgentCommit[]; wrightProjectId: string | null; now: number }) {
  const [showEvents, setShowEvents] = useState(false);
  const end = task.completedAt ? Date.parse(task.completedAt) : now;
  const command = turns.find((t) => t.intent === 'command');
  const open = !task.completedAt;
  return (
    <li className={`task-entry ${open ? `task-open pill-${task.state}` : 'task-closed'}`} aria-label={`Task: ${command?.text ?? 'no command'}`}>
      <div className="task-head">
        <span className={`state-pill pill-${open ? task.state : 'complete'}`}>{open ? stateLabels[task.state] : endLabel(task.endReason)}</span>
        <span className="hint">
          {new Date(task.startedAt).toLocaleTimeString()} · {formatDuration(end - Date.parse(task.startedAt))}
        </span>
        {open && task.state === 'awaitingInput' && <span className="task-waiting">waiting on {waitingOnText(task.waitingOn)}</span>}
        <span className="spacer" />
        {task.usage && totalTokens(task.usage) > 0 && (
          <span className="hint">
            {formatTokens(totalTokens(task.usage))} tok · {formatCost(task.usage.cost)}
          </span>
        )}
      </div>
      <ul className="turn-list" aria-label="Turns">
        {turns.map((turn) => (
          <li key={turn.id} className={`turn turn-${turn.actor} intent-${turn.intent}`}>
            <span className="turn-actor" title={`${turn.actor} · ${turn.intent}`}>
              {turn.actor === 'user' ? <User size={12} aria-label="You" /> : <Bot size={12} aria-label="Agent" />}
            </span>
            <span className="turn-text">
              <span className="turn-intent">{turn.intent}</span> {turn.text ?? <span className="hint">(no text)</span>}
              {turn.commit && <span className="commit-sha"> ✓ {turn.commit.slice(0, 7)}</span>}
            </span>
            <time className="hint">{new Date(turn.at).toLocaleTimeString()}</time>
          </li>
        ))}
      </ul>
      {commits.length > 0 && (
        <ul className="task-commits" aria-label="Commits during this task">
          {commits.map((c) => (
            <CommitRow key={c.sha} commit={c} wrightProjectId={wrightProjectId} />
          ))}
        </ul>
      )}
      {events.length > 0 && (
        <div className="task-events">
          <button className="link-button" aria-expanded={showEvents} onClick={() => setShowEvents(!showEvents)}>
            {showEvents ? <ChevronDown size={12} /> : <ChevronRight size={12} />} {events.length} event{events.length === 1 ? '' : 's'}
          </button>
          {showEvents && (
            <ul className="event-list" aria-label="Events">
              {[...events].reverse().map((e) => (
                <li key={e.id}>
                  <time className="hint">{new Date(e.at).toLocaleTimeString()}</time> <span className="mono">{e.type}</span> <span className="hint">{eventSummary(e)}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </li>
  );
}

function CommitRow({ commit, wrightProjectId }: { commit: AgentCommit; wrightProjectId: string | null }) {
  const additions = commit.files.reduce((n, f) => n + (f.additions ?? 0), 0);
  const deletions = commit.files.reduce((n, f) => n + (f.deletions ?? 0), 0);
  return (
    <li className="task-commit">
      <GitCommitHorizontal size={13} aria-hidden />
      <span className="commit-sha">{commit.sha.slice(0, 7)}</span>
      <span className="commit-subject" title={commit.subject}>
        {commit.subject}
      </span>
      <span className="diffstat" aria-label={`${commit.files.length} files, ${additions} additions, ${deletions} deletions`}>
        {commit.files.length} file{commit.files.length === 1 ? '' : 's'} <span className="add">+{additions}</span> <span className="del">−{deletions}</span>
      </span>
      {wrightProjectId && (
        <Link to={`/p/${wrightProjectId}?commit=${commit.sha}`} className="icon button" aria-label={`Show ${commit.sha.slice(0, 7)} in History`} title="Show in History">
          <History size={13} />
        </Link>
      )}
    </li>
  );
}

function endLabel(reason: string | null): string {
  switch (reason) {
    case 'stop':
      return 'Done';
    case 'failure':
      return 'Failed';
    case 'interrupted':
      return 'Interrupted';
    case 'timeout':
      return 'Timed out';
    case 'session_end':
      return 'Session ended';
    default:
      return 'Closed';
  }
}

/** A few words from an event's payload: the tool, the notification, the move. */
function eventSummary(e: AgentEvent): string {
  // Hook payloads are snake_case, the monitor's own entries PascalCase: compare keys in lower case.
  const p = Object.fromEntries(Object.entries((e.payload ?? {}) as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), v]));
  const parts = [p.tool_name, p.notification_type, p.from && p.to ? `${String(p.from)} → ${String(p.to)}` : undefined, p.reason].filter((x) => typeof x === 'string' && x);
  return parts.join(' · ');
}
