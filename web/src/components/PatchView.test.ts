import { describe, expect, it } from 'vitest';
import { patchLines } from './PatchView';

describe('patchLines', () => {
  it('classes each line of a unified diff', () => {
    const kinds = patchLines('diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n keep\n-old\n+new').map((l) => l.kind);

    expect(kinds).toEqual(['meta', 'meta', 'meta', 'hunk', 'ctx', 'del', 'add']);
  });
});
