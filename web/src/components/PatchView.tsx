/** Splits a unified diff into classed lines: additions, deletions, hunk headers and context. */
export function patchLines(patch: string): Array<{ kind: 'add' | 'del' | 'hunk' | 'meta' | 'ctx'; text: string }> {
  return patch.split('\n').map((text) => {
    if (text.startsWith('+++') || text.startsWith('---') || text.startsWith('diff ') || text.startsWith('index ')) return { kind: 'meta', text };
    if (text.startsWith('@@')) return { kind: 'hunk', text };
    if (text.startsWith('+')) return { kind: 'add', text };
    if (text.startsWith('-')) return { kind: 'del', text };
    return { kind: 'ctx', text };
  });
}

/** A unified diff as text (rendered as text nodes only: a diff from the model or a repository never becomes markup). */
export function PatchView({ patch, label }: { patch: string; label: string }) {
  return (
    <pre className="patch" aria-label={label}>
      {patchLines(patch)
        .filter((l) => l.kind !== 'meta')
        .map((line, i) => (
          <div key={i} className={`patch-${line.kind}`}>
            {line.text || ' '}
          </div>
        ))}
    </pre>
  );
}
