import { BellRing, CheckCircle2, X } from 'lucide-react';
import '../agents.css';
import { Link } from 'react-router';
import { useAgentAlerts } from '../lib/agent-alerts';

/** The newest agent alerts, briefly, in the corner of every page; each opens its agent on the board. */
export function AgentToasts() {
  const { toasts, dismiss } = useAgentAlerts();
  if (toasts.length === 0) return null;
  return (
    <div className="agent-toasts" role="region" aria-label="Agent alerts">
      {toasts.map((t) => (
        <div key={t.id} className={`agent-toast toast-${t.kind}`} role="alert">
          {t.kind === 'input' ? <BellRing size={15} aria-hidden /> : <CheckCircle2 size={15} aria-hidden />}
          <Link to={`/agents?agent=${t.agentId}`} className="toast-text" onClick={() => dismiss(t.id)}>
            <strong>{t.title}</strong>
            <span>{t.body}</span>
          </Link>
          <button className="icon" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            <X size={13} />
          </button>
        </div>
      ))}
    </div>
  );
}
