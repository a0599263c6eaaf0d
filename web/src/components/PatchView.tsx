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

/**
 * The two sides a unified diff shows: each hunk's old lines (context and removed) and new lines
 * (context and added), hunks separated by a marker line, so a side-by-side viewer can show them.
 */
export function patchSides(patch: string): { original: string; modified: string } {
  const original: string[] = [];
  const modified: string[] = [];
  let inHunk = false;
  for (const line of patchLines(patch)) {
    if (line.kind === 'hunk') {
      if (inHunk) {
        original.push('⋯');
        modified.push('⋯');
      }
      inHunk = true;
    } else if (!inHunk || line.kind === 'meta') {
      continue;
    } else if (line.text.startsWith('\\')) {
      continue;
    } else if (line.kind === 'del') {
      original.push(line.text.slice(1));
    } else if (line.kind === 'add') {
      modified.push(line.text.slice(1));
    } else {
      original.push(line.text.slice(1));
      modified.push(line.text.slice(1));
    }
  }
  return { original: original.join('\n'), modified: modified.join('\n') };
}
