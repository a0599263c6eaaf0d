import type { LucideIcon } from 'lucide-react';
import { CloudOff, Loader2 } from 'lucide-react';
import { NoticeBell } from '@/components/NoticeBell';
import { useEditorStore } from '@/features/files/lib/editor-store';

/** The status bar: the project, the branch and HEAD, unsaved files, a streaming answer, and the connection. */
export function StatusBar({ project, branch, head, connected, answering, icon: Icon }: { project: string; branch: string | null; head: string | null; connected: boolean; answering: boolean; icon: LucideIcon }) {
  const unsaved = useEditorStore((s) => Object.values(s.docs).filter((d) => d.dirty).length);
  return (
    <footer className={connected ? 'status-bar' : 'status-bar offline'} role="status" aria-label="Status">
      <span className="status-item">{project}</span>
      <span className="status-item" aria-label="Branch">
        <Icon size={12} /> {branch ?? 'detached'}
        {head ? ` · ${head.slice(0, 7)}` : ''}
      </span>
      {unsaved > 0 && <span className="status-item">● {unsaved} unsaved</span>}
      {answering && (
        <span className="status-item">
          <Loader2 size={12} className="spin" /> answer streaming
        </span>
      )}
      {!connected && (
        <span className="status-item" role="alert">
          <CloudOff size={12} /> Offline — reconnecting; unsaved edits are kept
        </span>
      )}
      <span className="spacer" />
      <NoticeBell className="status-item status-button" />
    </footer>
  );
}
