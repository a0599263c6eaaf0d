import { memo } from 'react';
import { Bot, CircleDollarSign, GitBranch, Hourglass, MessageSquareText, Sparkles, SquareTerminal } from 'lucide-react';
import type { Agent } from '../api';
import { agentLabel, boardState, boardStateLabel, formatCost, formatDuration, formatTokens, kindLabel, stateSince, totalTokens, waitingOnText } from '../lib/format';

/** One agent on the board: its state and for how long, what it was told, what it last said, its branch and what it has cost. */
export const AgentCard = memo(function AgentCard({ agent, now, selected, onSelect }: { agent: Agent; now: number; selected: boolean; onSelect: (id: string) => void }) {
  const state = boardState(agent);
  const since = Date.parse(stateSince(agent));
  const label = agentLabel(agent);
  const tokens = totalTokens(agent.usage);
  return (
    <article
      className={`agent-card state-${state}${selected ? ' selected' : ''}`}
      aria-label={`Agent ${label}`}
      aria-current={selected || undefined}
      data-state={state}
    >
      <button className="agent-card-hit" aria-label={`Open the timeline of ${label}`} onClick={() => onSelect(agent.id)} />
      <header className="agent-card-head">
        <span className={`state-pill pill-${state}`} role="status" aria-label={`State: ${boardStateLabel(state)}`}>
          <span className="state-dot" aria-hidden />
          {boardStateLabel(state)}
        </span>
        <span className="state-time" title={`since ${new Date(since).toLocaleString()}`}>
          <Hourglass size={11} aria-hidden /> {formatDuration(now - since)}
        </span>
        <span className="spacer" />
        <span className="agent-kind" title={kindLabel(agent.kind)}>
          {agent.kind === 'wright' ? <Sparkles size={12} aria-hidden /> : <Bot size={12} aria-hidden />} {kindLabel(agent.kind)}
        </span>
      </header>
      <h3 className="agent-name">{label}</h3>
      {state === 'awaitingInput' && (
        <p className="agent-waiting">
          Waiting on <strong>{waitingOnText(agent.currentTask?.waitingOn)}</strong>
        </p>
      )}
      <div className="agent-command" aria-label="Command">
        <span className="prompt-mark" aria-hidden>
          ›
        </span>
        {agent.command ? <span className="clamp-2">{agent.command}</span> : <span className="hint">No command yet</span>}
      </div>
      {agent.lastAgentText && (
        <div className="agent-said" aria-label="Last agent turn">
          <MessageSquareText size={12} aria-hidden />
          <span className="clamp-2">{agent.lastAgentText}</span>
        </div>
      )}
      <footer className="agent-card-foot">
        <span title="Branch">
          <GitBranch size={11} aria-hidden /> {agent.project.branch ?? '—'}
        </span>
        {agent.terminalPane && (
          <span title="Terminal pane">
            <SquareTerminal size={11} aria-hidden /> {agent.terminalPane}
          </span>
        )}
        <span className="spacer" />
        <span title={`${agent.usage.inputTokens} in · ${agent.usage.outputTokens} out · ${agent.usage.cacheReadTokens} cache read · ${agent.usage.cacheWriteTokens} cache write`} aria-label="Tokens">
          {formatTokens(tokens)} tok
        </span>
        <span title="Cost" aria-label="Cost" className="agent-cost">
          <CircleDollarSign size={11} aria-hidden /> {formatCost(agent.usage.cost)}
        </span>
      </footer>
    </article>
  );
});
