// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from 'vitest';
import { useNotices } from '@/lib/notifications';
import type { Agent, AgentBoardEvent } from '../api';
import { alertFor, alertInterval, raiseAlert, resetAlertLimits, useAgentAlerts } from './agent-alerts';
import { mergeAgents } from './agent-feed';
import { waitingOnText } from './format';

function agent(id: string, patch: Partial<Agent> = {}): Agent {
  return {
    id,
    kind: 'claude-code',
    name: null,
    state: 'processing',
    stale: false,
    ended: false,
    project: { id: 'p', path: '/w/shop', name: 'shop', remote: null, branch: 'main', wrightProjectId: null },
    currentTask: { id: 't', state: 'awaitingInput', waitingOn: 'permission:Bash', startedAt: '', stateChangedAt: '', completedAt: null, endReason: null, usage: null },
    command: 'do it',
    lastAgentText: 'Permission to use Bash',
    terminalPane: null,
    sessionUuid: null,
    agentSessionId: 'abcdef123456',
    startedAt: '2026-11-25T00:00:00Z',
    lastSeenAt: '2026-11-25T00:00:00Z',
    endedAt: null,
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, cost: 0 },
    ...patch,
  };
}

describe('agent alerts', () => {
  beforeEach(() => {
    resetAlertLimits();
    useNotices.setState({ items: [], unread: 0 });
    useAgentAlerts.setState({ toasts: [] });
  });

  it('says what an agent waits on, and that it finished from its completion turn', () => {
    const waiting: AgentBoardEvent = { agent: agent('a'), from: 'processing', to: 'awaitingInput', turn: null };
    expect(alertFor('agent.state', waiting)).toMatchObject({ kind: 'input', title: 'Claude Code abcdef12 needs input', body: 'shop: waiting on permission to use Bash — Permission to use Bash' });
    const done: AgentBoardEvent = { agent: agent('a'), from: null, to: null, turn: { id: 'u', taskId: 't', actor: 'agent', intent: 'completion', text: 'All green.', commit: null, at: '', usage: null } };
    expect(alertFor('agent.turn', done)).toMatchObject({ kind: 'done', body: 'shop: All green.' });
    expect(alertFor('agent.state', { ...waiting, from: 'idle', to: 'processing' })).toBeNull();
    expect(waitingOnText('idle_prompt')).toBe('your next prompt');
  });

  it('raises at most one alert per agent and kind within the interval, into the centre and a toast', () => {
    const alert = { agentId: 'a', kind: 'input' as const, title: 'needs input', body: 'b' };
    expect(raiseAlert(alert, 1_000)).toBe(true);
    expect(raiseAlert(alert, 1_000 + alertInterval - 1)).toBe(false);
    expect(raiseAlert({ ...alert, kind: 'done' }, 2_000)).toBe(true);
    expect(raiseAlert({ ...alert, agentId: 'b' }, 2_000)).toBe(true);
    expect(raiseAlert(alert, 1_000 + alertInterval)).toBe(true);
    expect(useNotices.getState().items).toHaveLength(4);
    expect(useAgentAlerts.getState().toasts.length).toBeGreaterThan(0);
  });
});

describe('mergeAgents', () => {
  it('replaces changed agents in place and puts new ones first', () => {
    const list = [agent('a'), agent('b')];
    const merged = mergeAgents(list, [agent('b', { command: 'new' }), agent('c')])!;
    expect(merged.map((a) => a.id)).toEqual(['c', 'a', 'b']);
    expect(merged[2]!.command).toBe('new');
    expect(merged[1]).toBe(list[0]);
  });
});
