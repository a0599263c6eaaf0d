import type { Agent, AgentState, AgentUsage } from '../api';

/** What the board calls each state, and the class that colours it. */
export const stateLabels: Record<AgentState, string> = {
  idle: 'Idle',
  commanded: 'Commanded',
  processing: 'Working',
  awaitingInput: 'Needs input',
  complete: 'Done',
};

/** The state a card shows: ended and stale come before the task's own state. */
export type BoardState = AgentState | 'stale' | 'ended';

export function boardState(agent: Agent): BoardState {
  if (agent.ended) return 'ended';
  if (agent.stale) return 'stale';
  return agent.state;
}

export function boardStateLabel(state: BoardState): string {
  return state === 'stale' ? 'Stale' : state === 'ended' ? 'Ended' : stateLabels[state];
}

/** When the card's state began: the open task's last move, else the agent's last sign of life. */
export function stateSince(agent: Agent): string {
  if (agent.ended && agent.endedAt) return agent.endedAt;
  return agent.currentTask?.stateChangedAt ?? agent.lastSeenAt;
}

export function agentLabel(agent: Agent): string {
  if (agent.name) return agent.name;
  const kind = agent.kind === 'wright' ? 'Wright session' : agent.kind === 'claude-code' ? 'Claude Code' : agent.kind;
  return `${kind} ${(agent.agentSessionId ?? agent.sessionUuid ?? agent.id).slice(0, 8)}`;
}

export function kindLabel(kind: string): string {
  return kind === 'wright' ? 'Wright' : kind === 'claude-code' ? 'Claude Code' : kind;
}

/** What an agent waits on, in words ("permission to use Bash"). */
export function waitingOnText(waitingOn: string | null | undefined): string {
  if (!waitingOn) return 'your input';
  if (waitingOn.startsWith('permission:')) return `permission to use ${waitingOn.slice('permission:'.length)}`;
  switch (waitingOn) {
    case 'permission':
    case 'permission_prompt':
      return 'a permission prompt';
    case 'idle_prompt':
      return 'your next prompt';
    case 'elicitation':
    case 'elicitation_dialog':
      return 'an answer to a form';
    case 'AskUserQuestion':
      return 'an answer to its question';
    case 'ExitPlanMode':
      return 'approval of its plan';
    default:
      return waitingOn;
  }
}

/** 42s, 3m 05s, 2h 10m, 3d 4h. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** 950, 12.3k, 4.1M. */
export function formatTokens(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

export function formatCost(cost: number): string {
  if (cost === 0) return '$0';
  if (cost < 0.01) return '<$0.01';
  return `$${cost.toFixed(2)}`;
}

export function totalTokens(u: AgentUsage): number {
  return u.inputTokens + u.outputTokens + u.cacheReadTokens + u.cacheWriteTokens;
}
