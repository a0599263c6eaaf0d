import type { LucideIcon } from 'lucide-react';
import { useState } from 'react';
import { Bell, CloudOff, Loader2 } from 'lucide-react';
import { useNotices } from '@/lib/notifications';
import { useEditorStore } from '@/features/files/lib/editor-store';

/** The status bar: the project, the branch and HEAD, unsaved files, a streaming answer, and the connection. */
export function StatusBar({ project, branch, head, connected, answering, icon: Icon }: { project: string; branch: string | null; head: string | null; connected: boolean; answering: boolean; icon: LucideIcon }) {
  const unsaved = useEditorStore((s) => Object.values(s.docs).filter((d) => d.dirty).length);
  const { items, unread, markRead } = useNotices();
  const [open, setOpen] = useState(false);
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
      <button
        className="status-item status-button"
        aria-label={`Notifications${unread ? ` (${unread} new)` : ''}`}
        aria-expanded={open}
        onClick={() => {
          setOpen(!open);
          markRead();
        }}
      >
        <Bell size={12} /> {unread > 0 ? unread : ''}
      </button>
      {open && (
        <section className="notice-centre" role="dialog" aria-label="Notification centre">
          <header>Notifications</header>
          {items.length === 0 && <p className="hint">Nothing yet.</p>}
          <ul>
            {items.map((n) => (
              <li key={n.id} className={`notice notice-${n.kind}`}>
                <div className="notice-title">
                  {n.kind === 'progress' && <Loader2 size={11} className="spin" />} {n.title}
                  <span className="hint">{new Date(n.at).toLocaleTimeString()}</span>
                </div>
                {n.detail && (
                  <div className="notice-detail">
                    {n.detail} {n.code && <span className="error-code">({n.code})</span>}
                  </div>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
    </footer>
  );
}
