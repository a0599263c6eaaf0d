import type { FlowCheckpoint } from '../api';

/** One node's pass in a run: from its start checkpoint to its end (a node that ran twice has two). */
export interface NodeStep {
  nodeId: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  costUsd: number | null;
  inputs: Record<string, unknown> | null;
  outputs: Record<string, unknown> | null;
  commit: string | null;
}

/** Pairs the run's checkpoints into steps, in order. */
export function stepsOf(checkpoints: FlowCheckpoint[]): NodeStep[] {
  const steps: NodeStep[] = [];
  const open = new Map<string, NodeStep>();
  for (const c of [...checkpoints].sort((a, b) => a.seq - b.seq)) {
    if (c.phase === 'start') {
      const step: NodeStep = { nodeId: c.nodeId, startedAt: c.at, endedAt: null, durationMs: null, costUsd: null, inputs: c.inputs, outputs: null, commit: c.commit };
      steps.push(step);
      open.set(c.nodeId, step);
    } else {
      let step = open.get(c.nodeId);
      if (!step) {
        step = { nodeId: c.nodeId, startedAt: c.at, endedAt: null, durationMs: null, costUsd: null, inputs: c.inputs, outputs: null, commit: c.commit };
        steps.push(step);
      }
      Object.assign(step, { endedAt: c.at, durationMs: c.durationMs, costUsd: c.costUsd, outputs: c.outputs, inputs: step.inputs ?? c.inputs, commit: c.commit ?? step.commit });
      open.delete(c.nodeId);
    }
  }
  return steps;
}
