import { useEffect, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Columns2, GitCommitHorizontal, RefreshCw, Sparkles, Undo2 } from 'lucide-react';
import { ErrorText } from '@/components/Dialog';
import { DiffDialog } from '@/components/DiffDialog';
import { PatchView, patchSides } from '@/components/PatchView';
import { commitDiffQuery, gitLogQuery, undoCommit, type GitCommit } from '../api';
import { RemotesSection } from './RemotesSection';

const aiTrailer = (commit: GitCommit, key: string) => commit.trailers.find((t) => t.key.toLowerCase() === key.toLowerCase())?.value;

/** The git log with each commit's AI metadata; a commit opens its diff; the last AI commit can be undone. */
export function HistoryPanel({ projectId, openCommit = null, onOpenFile = () => undefined }: { projectId: string; openCommit?: string | null; onOpenFile?: (path: string) => void }) {
  const client = useQueryClient();
  const log = useQuery(gitLogQuery(projectId));
  const [open, setOpen] = useState<string | null>(openCommit);
  useEffect(() => setOpen(openCommit), [openCommit]);
  const undo = useMutation({
    mutationFn: (sha: string) => undoCommit(projectId, sha),
    onSettled: () => client.invalidateQueries({ queryKey: ['project', projectId] }),
  });
  return (
    <div className="history-panel">
      <div className="side-toolbar" role="toolbar" aria-label="History actions">
        <button className="icon" aria-label="Refresh history" title="Refresh" onClick={() => void log.refetch()}>
          <RefreshCw size={14} />
        </button>
      </div>
      <RemotesSection projectId={projectId} onOpenFile={onOpenFile} />
      <ErrorText error={log.error ?? undo.error} />
      {log.data?.length === 0 && <p className="empty-state small">No commits yet.</p>}
      <ul className="commit-list" aria-label="Commits">
        {(log.data ?? []).map((commit, index) => {
          const ai = aiTrailer(commit, 'Wright-Action') ?? aiTrailer(commit, 'Wright-Message');
          const model = aiTrailer(commit, 'Wright-Model') ?? aiTrailer(commit, 'Co-authored-by');
          const prompt = aiTrailer(commit, 'Wright-Prompt');
          const cost = aiTrailer(commit, 'Wright-Cost');
          return (
            <li key={commit.sha} className="commit-item">
              <button className="commit-row" aria-expanded={open === commit.sha} onClick={() => setOpen(open === commit.sha ? null : commit.sha)}>
                {ai ? <Sparkles size={13} aria-label="AI commit" className="ai-icon" /> : <GitCommitHorizontal size={13} aria-hidden />}
                <span className="commit-subject">{commit.subject}</span>
                <span className="commit-sha">{commit.sha.slice(0, 7)}</span>
              </button>
              {open === commit.sha && (
                <div className="commit-detail">
                  <div className="commit-meta">
                    {commit.author.name} · {new Date(commit.author.date).toLocaleString()}
                    {model && <div>{ai ? 'by ' : ''}{model}{cost ? ` · ${cost}` : ''}</div>}
                    {prompt && <div className="commit-prompt">“{prompt}”</div>}
                  </div>
                  {index === 0 && ai && (
                    <button onClick={() => undo.mutate(commit.sha)} disabled={undo.isPending}>
                      <Undo2 size={13} /> Undo this commit
                    </button>
                  )}
                  <CommitDiff projectId={projectId} sha={commit.sha} />
                </div>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function CommitDiff({ projectId, sha }: { projectId: string; sha: string }) {
  const diff = useQuery(commitDiffQuery(projectId, sha));
  const [shown, setShown] = useState<{ path: string; patch: string } | null>(null);
  if (diff.isPending) return <p className="hint">Loading diff…</p>;
  if (diff.isError) return <ErrorText error={diff.error} />;
  return (
    <div className="commit-files">
      {diff.data.files.map((file) => (
        <details key={file.path} open={diff.data.files.length <= 3}>
          <summary>
            <span className={`change change-${file.change}`}>{file.change[0]?.toUpperCase()}</span> {file.path}
            <span className="diffstat">
              {file.additions !== null && <span className="add">+{file.additions}</span>} {file.deletions !== null && <span className="del">−{file.deletions}</span>}
            </span>
            {file.patch && (
              <button className="icon" aria-label={`Open the diff of ${file.path}`} title="Side by side" onClick={() => setShown({ path: file.path, patch: file.patch! })}>
                <Columns2 size={13} />
              </button>
            )}
          </summary>
          {file.binary ? <p className="hint">binary</p> : file.patch ? <PatchView patch={file.patch} label={`Diff of ${file.path}`} /> : null}
        </details>
      ))}
      {shown && (
        <DiffDialog title={`${shown.path} in ${sha.slice(0, 7)}`} path={shown.path} {...patchSides(shown.patch)} onClose={() => setShown(null)} />
      )}
    </div>
  );
}
