import { useState } from 'react';
import { Bell, Loader2 } from 'lucide-react';
import { useNotices } from '@/lib/notifications';

/** The bell of the notification centre: the unread count, and on click the history, newest first. */
export function NoticeBell({ className, placement = 'up' }: { className: string; placement?: 'up' | 'down' }) {
  const { items, unread, markRead } = useNotices();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        className={className}
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
        <section className={placement === 'down' ? 'notice-centre notice-centre-down' : 'notice-centre'} role="dialog" aria-label="Notification centre">
          <header>Notifications</header>
          {items.length === 0 && <p className="hint">Nothing yet.</p>}
          <ul>
            {items.map((n) => (
              <li key={n.id} className={`notice notice-${n.kind}`}>
                <div className="notice-title">
                  {n.kind === 'progress' && <Loader2 size={11} className="spin" />} {n.title}
                  <span className="hint">{new Date(n.at).toLocaleTimeString()}</span>
                </div>
                {n.kind === 'progress' && typeof n.progress === 'number' && (
                  <div className="notice-progress" role="progressbar" aria-label={n.title} aria-valuemin={0} aria-valuemax={100} aria-valuenow={n.progress}>
                    <div style={{ width: `${n.progress}%` }} />
                  </div>
                )}
                {n.kind === 'progress' && n.onCancel && (
                  <button className="notice-cancel" onClick={n.onCancel}>
                    Cancel
                  </button>
                )}
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
    </>
  );
}
