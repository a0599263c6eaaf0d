import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ArrowDownToLine, ArrowUpFromLine, GitBranchPlus, Plus, RefreshCw, Trash2 } from 'lucide-react';
import { ErrorText } from '@/components/Dialog';
import { useNotices } from '@/lib/notifications';
import { ApiError } from '@/lib/api-error';
import '../git.css';
import {
  abortMerge,
  addRemote,
  branchesQuery,
  checkoutBranch,
  commitAll,
  createBranch,
  fetchRemote,
  pullRemote,
  pushRemote,
  remotesQuery,
  removeRemote,
  type PullResult,
} from '../api';

/** Runs a long git operation with its progress and outcome in the notification centre. */
async function tracked<T>(title: string, run: () => Promise<T>, outcome: (result: T) => string): Promise<T> {
  const notices = useNotices.getState();
  const id = notices.push({ kind: 'progress', title, detail: null, code: null });
  try {
    const result = await run();
    notices.update(id, { kind: 'success', title: outcome(result) });
    return result;
  } catch (error) {
    notices.update(id, {
      kind: 'error',
      title: `${title} failed`,
      detail: error instanceof ApiError ? error.detail : error instanceof Error ? error.message : String(error),
      code: error instanceof ApiError ? error.code : null,
    });
    throw error;
  }
}

/**
 * The branch and remotes of the project above its history: check out or start a branch; list,
 * add and remove remotes; fetch, pull and push. A pull that stops on conflicts lists the files
 * (they open in the editor with git's markers) and offers to commit the merge or abort it.
 */
export function RemotesSection({ projectId, onOpenFile }: { projectId: string; onOpenFile: (path: string) => void }) {
  const client = useQueryClient();
  const remotes = useQuery(remotesQuery(projectId));
  const branches = useQuery(branchesQuery(projectId));
  const [adding, setAdding] = useState<{ name: string; url: string } | null>(null);
  const [newBranch, setNewBranch] = useState<string | null>(null);
  const [conflict, setConflict] = useState<PullResult | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: ['project', projectId] });
  const act = useMutation({ mutationFn: (run: () => Promise<unknown>) => run(), onSettled: () => refresh() });
  const current = branches.data?.find((b) => b.current);
  const busy = act.isPending;

  const pull = (remote: string) =>
    act.mutate(async () => {
      const result = await tracked(`Pulling from ${remote}`, () => pullRemote(projectId, remote), (r) =>
        r.outcome === 'conflict' ? `Pull from ${remote} stopped on ${r.conflicts.length} conflict(s)` : r.outcome === 'upToDate' ? `${remote}: already up to date` : `Pulled ${r.branch} from ${remote} (${r.outcome === 'fastForward' ? 'fast-forward' : 'merged'})`,
      );
      if (result.outcome === 'conflict') {
        setConflict(result);
        result.conflicts.forEach(onOpenFile);
      } else {
        setConflict(null);
      }
    });

  return (
    <section className="git-remotes" aria-label="Branches and remotes">
      <div className="git-row">
        <label className="git-label" htmlFor={`branch-${projectId}`}>
          Branch
        </label>
        <select
          id={`branch-${projectId}`}
          aria-label="Current branch"
          value={current?.name ?? ''}
          disabled={busy}
          onChange={(e) => {
            const branch = e.target.value;
            act.mutate(() => tracked(`Checking out ${branch}`, () => checkoutBranch(projectId, branch), () => `On ${branch}`));
          }}
        >
          {!current && <option value="">(detached)</option>}
          {(branches.data ?? []).map((b) => (
            <option key={b.name} value={b.name}>
              {b.name}
              {b.ahead ? ` ↑${b.ahead}` : ''}
              {b.behind ? ` ↓${b.behind}` : ''}
            </option>
          ))}
        </select>
        <button className="icon" aria-label="New branch" title="New branch from here" onClick={() => setNewBranch('')}>
          <GitBranchPlus size={14} />
        </button>
      </div>
      {newBranch !== null && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            const name = newBranch.trim();
            if (!name) return;
            act.mutate(() => tracked(`Creating ${name}`, () => createBranch(projectId, name), () => `On the new branch ${name}`));
            setNewBranch(null);
          }}
        >
          <input autoFocus aria-label="New branch name" placeholder="feature/name" value={newBranch} onChange={(e) => setNewBranch(e.target.value)} />
          <button type="submit">Create</button>
          <button type="button" onClick={() => setNewBranch(null)}>
            Cancel
          </button>
        </form>
      )}
      <div className="git-row">
        <span className="git-label">Remotes</span>
        <span className="spacer" />
        <button className="icon" aria-label="Add remote" title="Add a remote" onClick={() => setAdding({ name: remotes.data?.length ? '' : 'origin', url: '' })}>
          <Plus size={14} />
        </button>
      </div>
      {remotes.data?.length === 0 && !adding && <p className="hint git-hint">No remote — add one to push and pull.</p>}
      <ul className="remote-list" aria-label="Remotes">
        {(remotes.data ?? []).map((r) => (
          <li key={r.name} className="remote-row">
            <span className="remote-name" title={r.fetchUrl}>
              {r.name} <span className="hint">{r.fetchUrl}</span>
            </span>
            <span className="row-actions">
              <button className="icon" aria-label={`Fetch ${r.name}`} title="Fetch" disabled={busy} onClick={() => act.mutate(() => tracked(`Fetching ${r.name}`, () => fetchRemote(projectId, r.name), (f) => (f.behind ? `${r.name}: ${f.behind} new commit(s) to pull` : `Fetched ${r.name}`)))}>
                <RefreshCw size={13} />
              </button>
              <button className="icon" aria-label={`Pull from ${r.name}`} title="Pull" disabled={busy} onClick={() => pull(r.name)}>
                <ArrowDownToLine size={13} />
              </button>
              <button className="icon" aria-label={`Push to ${r.name}`} title="Push" disabled={busy} onClick={() => act.mutate(() => tracked(`Pushing to ${r.name}`, () => pushRemote(projectId, r.name), (p) => `Pushed ${p.branch} to ${p.remote} (${p.head.slice(0, 7)})`))}>
                <ArrowUpFromLine size={13} />
              </button>
              <button className="icon" aria-label={`Remove remote ${r.name}`} title="Remove" disabled={busy} onClick={() => confirm(`Remove the remote ${r.name}? Nothing is deleted on the remote.`) && act.mutate(() => removeRemote(projectId, r.name))}>
                <Trash2 size={13} />
              </button>
            </span>
          </li>
        ))}
      </ul>
      {adding && (
        <form
          className="remote-form"
          aria-label="Add remote"
          onSubmit={(e) => {
            e.preventDefault();
            act.mutate(async () => {
              await addRemote(projectId, adding.name.trim(), adding.url.trim());
              setAdding(null);
            });
          }}
        >
          <input aria-label="Remote name" placeholder="origin" value={adding.name} onChange={(e) => setAdding({ ...adding, name: e.target.value })} />
          <input aria-label="Remote URL" placeholder="https://… or /path/to/repo.git" value={adding.url} onChange={(e) => setAdding({ ...adding, url: e.target.value })} />
          <div className="dialog-buttons left">
            <button type="submit" className="primary" disabled={!adding.name.trim() || !adding.url.trim()}>
              Add
            </button>
            <button type="button" onClick={() => setAdding(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {conflict && (
        <div className="merge-conflict" role="group" aria-label="Merge conflicts">
          <p>
            The pull from {conflict.remote} left {conflict.conflicts.length} file(s) with conflicts. Resolve the markers in the editor, save, then commit the merge.
          </p>
          <ul className="plain-list">
            {conflict.conflicts.map((path) => (
              <li key={path}>
                <button className="link" onClick={() => onOpenFile(path)}>
                  {path}
                </button>
              </li>
            ))}
          </ul>
          <div className="dialog-buttons left">
            <button
              className="primary"
              onClick={() =>
                act.mutate(async () => {
                  await tracked('Committing the merge', () => commitAll(projectId, `Merge ${conflict.remote}/${conflict.branch}`), (c) => `Merge committed ${c.sha.slice(0, 7)}`);
                  setConflict(null);
                })
              }
            >
              Commit the merge
            </button>
            <button
              onClick={() =>
                act.mutate(async () => {
                  await tracked('Aborting the merge', () => abortMerge(projectId), () => 'Merge aborted');
                  setConflict(null);
                })
              }
            >
              Abort the merge
            </button>
          </div>
        </div>
      )}
      <ErrorText error={remotes.error ?? branches.error ?? act.error} />
    </section>
  );
}
