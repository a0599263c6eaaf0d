import { describe, expect, it } from 'vitest';
import { overallPercent } from './clone-runner';

describe('clone progress', () => {
  it('fills one bar across the phases in order', () => {
    const at = (phase: string | null, percent: number) => overallPercent({ state: 'running', phase, percent });
    expect(at(null, 0)).toBe(0);
    expect(at('Counting objects', 100)).toBe(0);
    expect(at('Receiving objects', 50)).toBe(40);
    expect(at('Receiving objects', 100)).toBe(80);
    expect(at('Resolving deltas', 0)).toBe(80);
    expect(at('Resolving deltas', 100)).toBe(95);
    expect(at('Updating files', 50)).toBe(98);
    expect(overallPercent({ state: 'succeeded', phase: 'Receiving objects', percent: 3 })).toBe(100);
  });
});
