import { describe, expect, it } from 'vitest';
import type { FlowCheckpoint } from '../api';
import { stepsOf } from './steps';

const cp = (seq: number, nodeId: string, phase: 'start' | 'end', extra: Partial<FlowCheckpoint> = {}): FlowCheckpoint => ({
  seq,
  nodeId,
  phase,
  at: `2026-11-25T10:00:0${seq}Z`,
  commit: 'abc1234',
  durationMs: null,
  costUsd: null,
  inputs: null,
  outputs: null,
  ...extra,
});

describe('a run’s node passes', () => {
  it('pairs start and end checkpoints in order, a node run twice as two passes, the one waiting open', () => {
    const steps = stepsOf([
      cp(3, 'draft', 'start', { inputs: { prompt: 'Reply to: hi' } }),
      cp(1, 'ask', 'start', { inputs: { prompt: 'What?' } }),
      cp(2, 'ask', 'end', { outputs: { request: 'hi' }, durationMs: 500, costUsd: 0 }),
      cp(4, 'draft', 'end', { outputs: { draft: 'Hello' }, durationMs: 1200, costUsd: 0.0021 }),
      cp(5, 'ask', 'start'),
    ]);
    expect(steps.map((s) => [s.nodeId, s.durationMs, s.endedAt !== null])).toEqual([
      ['ask', 500, true],
      ['draft', 1200, true],
      ['ask', null, false],
    ]);
    expect(steps[1]).toMatchObject({ inputs: { prompt: 'Reply to: hi' }, outputs: { draft: 'Hello' }, costUsd: 0.0021 });
  });

  it('keeps an end whose start was not recorded as a pass of its own', () => {
    expect(stepsOf([cp(7, 'test', 'end', { durationMs: 5 })])).toMatchObject([{ nodeId: 'test', durationMs: 5 }]);
  });
});
