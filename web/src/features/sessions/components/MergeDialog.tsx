import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { GitMerge, Loader2 } from 'lucide-react';
import { Dialog, ErrorText } from '@/components/Dialog';
import { isApiError } from '@/lib/api-error';
import { mergeIntoSession, type MergeConflict, type MergeRequest, type MergeResult } from '../api';

type Phase =
  | { kind: 'merging' }
  | { kind: 'conflict'; conflicts: MergeConflict[]; detail: string }
  | { kind: 'dirty'; detail: string }
  | { kind: 'failed'; error: unknown };

/**
 * Merges a branch (a leaf of this session, or another session of the project) into the current
 * leaf. A clean merge closes the dialog: the session shows the merge turn and the workspace is at
 * the merge commit. A conflict lists the files and hunks, to settle with one side or cancel.
 */
export function MergeDialog({
  projectId,
  sessionId,
  source,
  label,
  onMerged,
  onClose,
}: {
  projectId: string;
  sessionId: string;
  source: Pick<MergeRequest, 'fromLeafId' | 'fromSessionId'>;
  label: string;
  onMerged: (result: MergeResult) => void;
  onClose: () => void;
}) {
  const client = useQueryClient();
  const [phase, setPhase] = useState<Phase>({ kind: 'merging' });
  const started = useRef(false);

  async function merge(extra: Pick<MergeRequest, 'strategy' | 'commitFirst'> = {}) {
    setPhase({ kind: 'merging' });
    try {
      const result = await mergeIntoSession(sessionId, { ...source, ...extra });
      await client.invalidateQueries({ queryKey: ['project', projectId] });
      onMerged(result);
    } catch (caught) {
      if (isApiError(caught, 'merge_conflict')) {
        setPhase({ kind: 'conflict', conflicts: (caught.extensions.conflicts as MergeConflict[] | undefined) ?? [], detail: caught.detail });
      } else if (isApiError(caught, 'uncommitted_changes')) {
        setPhase({ kind: 'dirty', detail: caught.detail });
      } else {
        setPhase({ kind: 'failed', error: caught });
      }
    }
  }

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    void merge();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <Dialog title={`Merge ${label}`} onClose={onClose} wide>
      {phase.kind === 'merging' && (
        <p className="merge-status" role="status">
          <Loader2 size={14} className="spin" aria-hidden /> Merging {label} into the current branch…
        </p>
      )}
      {phase.kind === 'failed' && (
        <>
          <ErrorText error={phase.error} />
          <div className="dialog-buttons">
            <button onClick={onClose}>Close</button>
          </div>
        </>
      )}
      {phase.kind === 'dirty' && (
        <>
          <p className="form-error">{phase.detail}</p>
          <div className="dialog-buttons">
            <button className="primary" onClick={() => void merge({ commitFirst: true })}>
              Commit my edits and merge
            </button>
            <button onClick={onClose}>Cancel</button>
          </div>
        </>
      )}
      {phase.kind === 'conflict' && (
        <div className="merge-conflicts" aria-label="Merge conflicts">
          <p>
            <strong>
              {phase.conflicts.length} file{phase.conflicts.length === 1 ? '' : 's'} changed on both sides.
            </strong>{' '}
            Nothing was changed. Keep one side for every conflicting hunk, or cancel.
          </p>
          <ul className="conflict-files">
            {phase.conflicts.map((c) => (
              <li key={c.path} aria-label={`Conflict in ${c.path}`}>
                <h4 className="mono">{c.path}</h4>
                {c.hunks.length === 0 && <p className="hint">Changed on one side and deleted (or binary) on the other.</p>}
                {c.hunks.map((h, i) => (
                  <div key={i} className="conflict-hunk">
                    <span className="hint">line {h.line}</span>
                    <div className="conflict-sides">
                      <div className="conflict-side ours" aria-label="Ours">
                        <span className="side-label">Ours (current branch)</span>
                        <pre>{h.ours || '(nothing)'}</pre>
                      </div>
                      <div className="conflict-side theirs" aria-label="Theirs">
                        <span className="side-label">Theirs ({label})</span>
                        <pre>{h.theirs || '(nothing)'}</pre>
                      </div>
                    </div>
                  </div>
                ))}
              </li>
            ))}
          </ul>
          <div className="dialog-buttons">
            <button className="primary" onClick={() => void merge({ strategy: 'ours' })}>
              <GitMerge size={13} aria-hidden /> Keep ours
            </button>
            <button className="primary" onClick={() => void merge({ strategy: 'theirs' })}>
              <GitMerge size={13} aria-hidden /> Keep theirs
            </button>
            <button onClick={onClose}>Cancel</button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
