import { Link, useNavigate } from 'react-router';
import { Activity, LogOut, Settings } from 'lucide-react';
import { NoticeBell } from '@/components/NoticeBell';
import { logout, useMe } from '@/features/auth/api';
import { useQueryClient } from '@tanstack/react-query';

/** The strip above pages that are not the workspace: home, settings, the user and logout. */
export function TopBar({ title }: { title?: string }) {
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return (
    <header className="top-bar">
      <Link to="/" className="brand small" aria-label="Projects">
        <img src="/favicon.svg" alt="" width={18} height={18} />
        <span>Wright</span>
      </Link>
      {title && <span className="top-title">{title}</span>}
      <span className="spacer" />
      <Link to="/agents" className="icon button" aria-label="Agents" title="Agents: every coding agent, live">
        <Activity size={15} />
      </Link>
      <span className="top-bell">
        <NoticeBell className="icon" placement="down" />
      </span>
      <Link to="/settings" className="icon button" aria-label="Settings" title="Settings">
        <Settings size={15} />
      </Link>
      <span className="user-name">{me.data?.userName}</span>
      <button
        className="icon"
        aria-label="Log out"
        title="Log out"
        onClick={async () => {
          await logout().catch(() => undefined);
          queryClient.clear();
          void navigate('/login', { replace: true });
        }}
      >
        <LogOut size={15} />
      </button>
    </header>
  );
}
