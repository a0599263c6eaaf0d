import { describe, expect, it } from 'vitest';
import type { FlowRun } from '../api';
import { appendEvent, applyToRun, describeRun, parseRunEvent, type RunEvent } from './run-events';

const run: FlowRun = {
  id: 'r1',
  sessionId: 's1',
  flow: 'review',
  state: 'running',
  currentNodeId: 'ask',
  pausedNodeId: null,
  pausedPrompt: null,
  variables: {},
  startedAt: '2026-11-25T10:00:00Z',
  updatedAt: '2026-11-25T10:00:00Z',
  endedAt: null,
  error: null,
  costUsd: 0,
  unpriced: false,
};

const ev = (seq: number, event: string, data: Record<string, unknown>) => parseRunEvent(String(seq), event, JSON.stringify(data));

describe('a run’s event stream', () => {
  it('joins a node’s consecutive chunks and drops replayed events', () => {
    let list: RunEvent[] = [];
    list = appendEvent(list, ev(1, 'nodeStart', { nodeId: 'draft', type: 'llm' }));
    list = appendEvent(list, ev(2, 'chunk', { nodeId: 'draft', text: 'Hel' }));
    list = appendEvent(list, ev(3, 'chunk', { nodeId: 'draft', text: 'lo' }));
    // A reconnect replays from Last-Event-ID: what was seen is not seen twice.
    list = appendEvent(list, ev(3, 'chunk', { nodeId: 'draft', text: 'lo' }));
    list = appendEvent(list, ev(4, 'nodeEnd', { nodeId: 'draft', outputs: { draft: 'Hello' } }));
    expect(list.map((e) => [e.seq, e.event, e.text ?? null])).toEqual([
      [1, 'nodeStart', null],
      [3, 'chunk', 'Hello'],
      [4, 'nodeEnd', null],
    ]);
  });

  it('reads an event wrapped in a bus envelope the same as a bare one', () => {
    const wrapped = parseRunEvent('7', 'waitingForInput', JSON.stringify({ type: 'waitingForInput', data: { nodeId: 'ask', prompt: 'More?' } }));
    expect(wrapped).toMatchObject({ seq: 7, nodeId: 'ask', data: { prompt: 'More?' } });
  });

  it('moves the run through paused, running, failed as the events say', () => {
    const paused = applyToRun(run, ev(2, 'waitingForInput', { nodeId: 'ask', prompt: 'What next?', at: '2026-11-25T10:00:01Z' }));
    expect(paused).toMatchObject({ state: 'paused', pausedNodeId: 'ask', pausedPrompt: 'What next?' });
    expect(describeRun(paused)).toBe('paused at ask');
    const running = applyToRun(paused, ev(3, 'nodeStart', { nodeId: 'draft', type: 'llm' }));
    expect(running).toMatchObject({ state: 'running', currentNodeId: 'draft', pausedNodeId: null });
    const costed = applyToRun(running, ev(4, 'nodeEnd', { nodeId: 'draft', costUsd: 0.002, unpriced: false }));
    expect(costed.costUsd).toBeCloseTo(0.002);
    const failed = applyToRun(costed, ev(5, 'error', { nodeId: 'draft', code: 'llm_failed', detail: 'The model is gone.' }));
    expect(failed).toMatchObject({ state: 'failed', error: { code: 'llm_failed', nodeId: 'draft' } });
    expect(describeRun(failed)).toBe('failed at draft: The model is gone.');
  });
});
