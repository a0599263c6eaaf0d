import { useRef, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Archive, ArchiveRestore, Download, GitFork, GitMerge, Trash2, Upload } from 'lucide-react';
import { Dialog, ErrorText } from '@/components/Dialog';
import { archiveSession, deleteSession, exportSession, forkSession, importSession, sessionListQuery, type Session } from '../api';

/** Every session of the project: search, open, archive, delete, fork from its current message, merge another into the open one, export and import. */
export function SessionsDialog({
  projectId,
  sessionId,
  currentLeafId,
  onOpen,
  onMerge,
  onClose,
}: {
  projectId: string;
  sessionId: string | null;
  currentLeafId: string | null;
  onOpen: (id: string | null) => void;
  /** Merges another session's current branch into the open session (absent while an answer streams). */
  onMerge?: (from: Session) => void;
  onClose: () => void;
}) {
  const client = useQueryClient();
  const [q, setQ] = useState('');
  const [archived, setArchived] = useState(false);
  const list = useQuery(sessionListQuery(projectId, q.trim(), archived));
  const file = useRef<HTMLInputElement>(null);
  const invalidate = () => client.invalidateQueries({ queryKey: ['project', projectId, 'sessions'] });
  const act = useMutation({
    mutationFn: async (run: () => Promise<unknown>) => run(),
    onSettled: () => invalidate(),
  });

  async function download(session: Session, format: 'json' | 'markdown') {
    const response = await exportSession(session.id, format);
    const blob = await response.blob();
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `${(session.title || 'session').replace(/[^\w.-]+/g, '-')}.${format === 'json' ? 'json' : 'md'}`;
    a.click();
    URL.revokeObjectURL(url);
  }

  return (
    <Dialog title="Sessions" onClose={onClose} wide>
      <div className="dialog-toolbar">
        <input type="search" aria-label="Search sessions" placeholder="Search titles and messages…" value={q} onChange={(e) => setQ(e.target.value)} autoFocus />
        <label className="check">
          <input type="checkbox" checked={archived} onChange={(e) => setArchived(e.target.checked)} /> Archived too
        </label>
        <button onClick={() => file.current?.click()}>
          <Upload size={13} /> Import…
        </button>
        <input
          ref={file}
          type="file"
          accept="application/json,.json"
          hidden
          aria-label="Session file to import"
          onChange={(e) => {
            const chosen = e.target.files?.[0];
            e.target.value = '';
            if (!chosen) return;
            act.mutate(async () => {
              const imported = await importSession(projectId, JSON.parse(await chosen.text()) as unknown);
              onOpen(imported.id);
            });
          }}
        />
      </div>
      <ErrorText error={list.error ?? act.error} />
      {list.data?.length === 0 && <p className="empty-state small">{q ? 'No session matches.' : 'No sessions yet — send a prompt to start one.'}</p>}
      <ul className="session-list" aria-label="Sessions">
        {(list.data ?? []).map((s) => (
          <li key={s.id} className={s.id === sessionId ? 'session-row current' : 'session-row'}>
            <button
              className="session-open"
              aria-label={`Open ${s.title || 'Untitled session'}`}
              onClick={() => {
                onOpen(s.id);
                onClose();
              }}
            >
              <span className="session-title">{s.title || 'Untitled session'}</span>
              {s.archived && <span className="badge">archived</span>}
              <span className="hint">{new Date(s.updatedAt).toLocaleString()}</span>
            </button>
            <span className="row-actions">
              {s.id === sessionId && currentLeafId && (
                <button
                  className="icon"
                  title="Fork: a new session with this one's current path"
                  aria-label={`Fork ${s.title || 'Untitled session'}`}
                  onClick={() =>
                    act.mutate(async () => {
                      const fork = await forkSession(s.id, currentLeafId);
                      onOpen(fork.id);
                    })
                  }
                >
                  <GitFork size={13} />
                </button>
              )}
              {onMerge && sessionId && currentLeafId && s.id !== sessionId && s.currentLeafId && (
                <button
                  className="icon"
                  title="Merge into this session…: its current branch merged into the open session's (a git merge, recorded as a merge turn)"
                  aria-label={`Merge ${s.title || 'Untitled session'} into this session`}
                  onClick={() => onMerge(s)}
                >
                  <GitMerge size={13} />
                </button>
              )}
              <button className="icon" title="Export as JSON (can be imported)" aria-label={`Export ${s.title || 'Untitled session'} as JSON`} onClick={() => act.mutate(() => download(s, 'json'))}>
                <Download size={13} />
              </button>
              <button className="icon" title="Export as Markdown" aria-label={`Export ${s.title || 'Untitled session'} as Markdown`} onClick={() => act.mutate(() => download(s, 'markdown'))}>
                <span className="mono small">MD</span>
              </button>
              <button
                className="icon"
                title={s.archived ? 'Unarchive' : 'Archive'}
                aria-label={`${s.archived ? 'Unarchive' : 'Archive'} ${s.title || 'Untitled session'}`}
                onClick={() =>
                  act.mutate(async () => {
                    await archiveSession(s.id, !s.archived);
                    if (!s.archived && s.id === sessionId) onOpen(null);
                  })
                }
              >
                {s.archived ? <ArchiveRestore size={13} /> : <Archive size={13} />}
              </button>
              <button
                className="icon"
                title="Delete"
                aria-label={`Delete ${s.title || 'Untitled session'}`}
                onClick={() =>
                  confirm(`Delete "${s.title || 'Untitled session'}" and its messages? Commits stay in git.`) &&
                  act.mutate(async () => {
                    await deleteSession(s.id);
                    if (s.id === sessionId) onOpen(null);
                  })
                }
              >
                <Trash2 size={13} />
              </button>
            </span>
          </li>
        ))}
      </ul>
    </Dialog>
  );
}
