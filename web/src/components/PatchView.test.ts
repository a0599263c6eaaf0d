import { describe, expect, it } from 'vitest';
import { patchLines } from './PatchView';

describe('patchLines', () => {
  it('classes each line of a unified diff', () => {
    const kinds = patchLines('diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n keep\n-old\n+new').map((l) => l.kind);

    expect(kinds).toEqual(['meta', 'meta', 'meta', 'hunk', 'ctx', 'del', 'add']);
  });
});

describe('patchSides', () => {
  it('splits hunks into the old and the new side', async () => {
    const { patchSides } = await import('./PatchView');
    const sides = patchSides('--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n keep\n-old\n+new\n tail\n@@ -9 +9 @@\n-x\n+y');

    expect(sides.original).toBe('keep\nold\ntail\n⋯\nx');
    expect(sides.modified).toBe('keep\nnew\ntail\n⋯\ny');
  });
});
