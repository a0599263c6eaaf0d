import { useEffect, useMemo, useState } from 'react';
import '../agents.css';
import { useQuery } from '@tanstack/react-query';
import { Bell, BellOff, FolderGit2, Volume2, VolumeX } from 'lucide-react';
import { Link } from 'react-router';
import { ErrorText } from '@/components/Dialog';
import { activeFlowRunsQuery, agentsQuery, type Agent } from '../api';
import { primeSound, useAgentAlerts } from '../lib/agent-alerts';
import { boardState, formatCost, type BoardState } from '../lib/format';
import { AgentCard } from './AgentCard';
import { AgentTimeline } from './AgentTimeline';
import { FlowRunsSection } from './FlowRunsSection';

export interface BoardFilters {
  state: string;
  project: string;
  kind: string;
}

/** The state filter's choices, in the order a user scans them: what needs them first. */
const stateChoices: Array<{ id: string; label: string; matches: (s: BoardState) => boolean }> = [
  { id: '', label: 'All', matches: (s) => s !== 'ended' },
  { id: 'awaitingInput', label: 'Needs input', matches: (s) => s === 'awaitingInput' },
  { id: 'working', label: 'Working', matches: (s) => s === 'processing' || s === 'commanded' },
  { id: 'stale', label: 'Stale', matches: (s) => s === 'stale' },
  { id: 'idle', label: 'Idle', matches: (s) => s === 'idle' || s === 'complete' },
  { id: 'ended', label: 'Ended', matches: (s) => s === 'ended' },
];

/**
 * The agent board (`/agents`): every agent of the user, Wright's own sessions included, grouped by
 * project, live; filters by state, project and kind; a selected agent's timeline on the right.
 */
export function AgentBoard({ filters, onFilters, selected, onSelect, connected }: { filters: BoardFilters; onFilters: (f: Partial<BoardFilters>) => void; selected: string | null; onSelect: (id: string | null) => void; connected: boolean }) {
  const agents = useQuery(agentsQuery());
  const runs = useQuery(activeFlowRunsQuery());
  const now = useNow(1000);
  const list = agents.data ?? [];

  const projects = useMemo(() => {
    const seen = new Map<string, string>();
    for (const a of list) seen.set(a.project.id, a.project.name);
    return [...seen].sort((a, b) => a[1].localeCompare(b[1]));
  }, [list]);

  const stateChoice = stateChoices.find((c) => c.id === filters.state) ?? stateChoices[0]!;
  const counts = useMemo(() => {
    const byChoice = new Map<string, number>();
    for (const a of list) {
      if (filters.project && a.project.id !== filters.project) continue;
      if (filters.kind && a.kind !== filters.kind) continue;
      const s = boardState(a);
      for (const c of stateChoices) if (c.matches(s)) byChoice.set(c.id, (byChoice.get(c.id) ?? 0) + 1);
    }
    // Flow runs are Wright's own and count with the states their cards show: waiting at an input is "Needs input".
    if (filters.kind !== 'claude-code') {
      for (const r of runs.data ?? []) {
        if (filters.project && r.projectId !== filters.project) continue;
        for (const id of ['', r.state === 'paused' ? 'awaitingInput' : 'working']) byChoice.set(id, (byChoice.get(id) ?? 0) + 1);
      }
    }
    return byChoice;
  }, [list, runs.data, filters.project, filters.kind]);

  const groups = useMemo(() => {
    const shown = list.filter((a) => stateChoice.matches(boardState(a)) && (!filters.project || a.project.id === filters.project) && (!filters.kind || a.kind === filters.kind));
    const byProject = new Map<string, Agent[]>();
    for (const a of shown) byProject.set(a.project.id, [...(byProject.get(a.project.id) ?? []), a]);
    return [...byProject.values()]
      .map((agentsOf) => ({ project: agentsOf[0]!.project, agents: agentsOf.sort(byUrgency) }))
      .sort((a, b) => a.project.name.localeCompare(b.project.name) || a.project.path.localeCompare(b.project.path));
  }, [list, stateChoice, filters.project, filters.kind]);

  const selectedAgent = selected ? list.find((a) => a.id === selected) : undefined;

  return (
    <div className={selected ? 'agent-board with-timeline' : 'agent-board'}>
      <div className="board-main">
        <div className="board-toolbar" role="toolbar" aria-label="Agent filters">
          <div className="segmented" role="radiogroup" aria-label="State">
            {stateChoices.map((c) => (
              <button key={c.id} role="radio" aria-checked={stateChoice.id === c.id} className={`seg seg-${c.id || 'all'}`} onClick={() => onFilters({ state: c.id })}>
                {c.label} <span className="seg-count">{counts.get(c.id) ?? 0}</span>
              </button>
            ))}
          </div>
          <label className="inline-select">
            Project
            <select value={filters.project} onChange={(e) => onFilters({ project: e.target.value })}>
              <option value="">All projects</option>
              {projects.map(([id, name]) => (
                <option key={id} value={id}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <label className="inline-select">
            Kind
            <select value={filters.kind} onChange={(e) => onFilters({ kind: e.target.value })}>
              <option value="">All kinds</option>
              <option value="claude-code">Claude Code</option>
              <option value="wright">Wright</option>
            </select>
          </label>
          <span className="spacer" />
          {!connected && <span className="board-offline" role="alert">Reconnecting to the live feed…</span>}
          <NotificationSwitches />
        </div>
        <ErrorText error={agents.error} />
        {agents.isPending && <div className="splash" aria-busy="true" />}
        {agents.isSuccess && list.length === 0 && <EmptyBoard />}
        {agents.isSuccess && list.length > 0 && groups.length === 0 && <p className="empty-state">No agent matches these filters.</p>}
        <div className="board-groups">
          {filters.kind !== 'claude-code' && (filters.state === '' || filters.state === 'awaitingInput' || filters.state === 'working') && <FlowRunsSection now={now} project={filters.project} state={filters.state} />}
          {groups.map(({ project, agents: agentsOf }) => (
            <section key={project.id} className="board-group" aria-label={`Project ${project.name}`}>
              <header className="group-head">
                <FolderGit2 size={14} aria-hidden />
                <h2>{project.name}</h2>
                <span className="group-path" title={project.path}>
                  {project.path}
                </span>
                {project.wrightProjectId && (
                  <Link to={`/p/${project.wrightProjectId}`} className="group-open">
                    Open in Wright
                  </Link>
                )}
                <span className="spacer" />
                <span className="hint">
                  {agentsOf.length} agent{agentsOf.length === 1 ? '' : 's'} · {formatCost(agentsOf.reduce((sum, a) => sum + a.usage.cost, 0))}
                </span>
              </header>
              <div className="card-grid">
                {agentsOf.map((a) => (
                  <AgentCard key={a.id} agent={a} now={now} selected={a.id === selected} onSelect={onSelect} />
                ))}
              </div>
            </section>
          ))}
        </div>
      </div>
      {selected && <AgentTimeline agentId={selected} agent={selectedAgent} now={now} onClose={() => onSelect(null)} />}
    </div>
  );
}

/** Browser notifications (asked for on a click, as browsers require) and the sound. */
function NotificationSwitches() {
  const supported = typeof Notification !== 'undefined';
  const [permission, setPermission] = useState(supported ? Notification.permission : 'denied');
  const { sound, setSound } = useAgentAlerts();
  return (
    <>
      {supported && permission !== 'granted' && (
        <button
          onClick={async () => {
            primeSound();
            setPermission(await Notification.requestPermission());
          }}
          disabled={permission === 'denied'}
          title={permission === 'denied' ? 'Notifications are blocked for this site in the browser settings' : 'Notify me when an agent needs input or finishes'}
        >
          <Bell size={13} /> {permission === 'denied' ? 'Notifications blocked' : 'Enable notifications'}
        </button>
      )}
      {permission === 'granted' && (
        <span className="hint" title="Browser notifications are on">
          <Bell size={13} aria-label="Notifications on" />
        </span>
      )}
      {permission === 'denied' && <BellOff size={13} aria-hidden className="hint" />}
      <button
        className="icon"
        aria-pressed={sound}
        aria-label={sound ? 'Sound on' : 'Sound off'}
        title={sound ? 'Alert sound on' : 'Alert sound off'}
        onClick={() => {
          primeSound();
          setSound(!sound);
        }}
      >
        {sound ? <Volume2 size={14} /> : <VolumeX size={14} />}
      </button>
    </>
  );
}

function EmptyBoard() {
  return (
    <div className="empty-board">
      <h2>No agents yet</h2>
      <p>Start Claude Code through Wright, or install Wright&apos;s hooks once and start it as usual:</p>
      <pre className="mono">{`wright start -- claude
# or, for every session:
wright hooks install --user`}</pre>
      <p className="hint">Your Wright sessions appear here too, as soon as you send a prompt.</p>
    </div>
  );
}

/** Needs input first, then stale, working, idle, ended. */
function urgency(a: Agent): number {
  const order: Record<BoardState, number> = { awaitingInput: 0, stale: 1, processing: 2, commanded: 2, complete: 3, idle: 3, ended: 4 };
  return order[boardState(a)];
}

function byUrgency(a: Agent, b: Agent): number {
  // Start time, not last activity, breaks ties: cards must not jump about while agents work.
  return urgency(a) - urgency(b) || Date.parse(b.startedAt) - Date.parse(a.startedAt);
}

/** The current time, renewed every <paramref name="ms"/>: the cards' "time in state" ticks. */
function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}
