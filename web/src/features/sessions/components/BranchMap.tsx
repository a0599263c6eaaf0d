import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Dialog } from '@/components/Dialog';
import { answerQuery, commitSummaryQuery, type ChatMessage, type SessionTree } from '../api';

const COLUMN = 200;
const ROW = 64;
const NODE_W = 176;
const NODE_H = 48;

interface Placed {
  message: ChatMessage;
  column: number;
  row: number;
}

/**
 * Lays the session tree out left to right: a message's column is its depth, and each leaf takes
 * the next row, a parent sitting on its first child's row (so a linear conversation is one line
 * and every branch opens a row below it).
 */
export function layoutTree(tree: SessionTree): Placed[] {
  const byParent = new Map<string | null, ChatMessage[]>();
  for (const m of tree.messages) {
    const list = byParent.get(m.parentId) ?? [];
    list.push(m);
    byParent.set(m.parentId, list);
  }
  const placed: Placed[] = [];
  let nextRow = 0;
  // Iterative depth-first walk: deep trees must not overflow the call stack.
  const stack: Array<{ message: ChatMessage; column: number }> = [...(byParent.get(null) ?? [])].reverse().map((message) => ({ message, column: 0 }));
  const rowOf = new Map<string, number>();
  while (stack.length > 0) {
    const { message, column } = stack.pop()!;
    const children = byParent.get(message.id) ?? [];
    const parentRow = message.parentId ? rowOf.get(message.parentId) : undefined;
    const firstChild = !!message.parentId && byParent.get(message.parentId)?.[0]?.id === message.id;
    // Rows are handed out in walk order, so a new row is always below every row used so far.
    const row = firstChild && parentRow !== undefined ? parentRow : nextRow++;
    rowOf.set(message.id, row);
    placed.push({ message, column, row });
    for (const child of [...children].reverse()) stack.push({ message: child, column: column + 1 });
  }
  return placed;
}

/**
 * The branch map: the whole session tree, each answer with its commit and diffstat, the current
 * path highlighted. Clicking a node switches the session (and the workspace) to it.
 */
export function BranchMap({ projectId, tree, onSwitch, onClose }: { projectId: string; tree: SessionTree; onSwitch: (messageId: string) => void; onClose: () => void }) {
  const placed = useMemo(() => layoutTree(tree), [tree]);
  const active = useMemo(() => new Set(tree.activePath), [tree.activePath]);
  const where = useMemo(() => new Map(placed.map((p) => [p.message.id, p])), [placed]);
  const width = (Math.max(0, ...placed.map((p) => p.column)) + 1) * COLUMN;
  const height = (Math.max(0, ...placed.map((p) => p.row)) + 1) * ROW;
  return (
    <Dialog title="Branch map" onClose={onClose} wide>
      <p className="hint">Every prompt and answer of this session; a branch starts where a prompt was edited or an answer regenerated. Click a message to switch to it.</p>
      <div className="branch-map" role="tree" aria-label="Session tree">
        <div className="branch-canvas" style={{ width: width + 16, height: height + 16 }}>
        <svg width={width} height={height} aria-hidden className="branch-edges">
          {placed
            .filter((p) => p.message.parentId && where.has(p.message.parentId))
            .map((p) => {
              const parent = where.get(p.message.parentId!)!;
              const x1 = parent.column * COLUMN + NODE_W;
              const y1 = parent.row * ROW + NODE_H / 2;
              const x2 = p.column * COLUMN;
              const y2 = p.row * ROW + NODE_H / 2;
              const mid = (x1 + x2) / 2;
              return (
                <path
                  key={p.message.id}
                  d={`M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`}
                  className={active.has(p.message.id) ? 'edge active' : 'edge'}
                />
              );
            })}
        </svg>
        {placed.map((p) => (
          <MapNode
            key={p.message.id}
            projectId={projectId}
            sessionId={tree.session.id}
            message={p.message}
            current={active.has(p.message.id)}
            leaf={tree.currentLeafId === p.message.id}
            style={{ left: p.column * COLUMN, top: p.row * ROW, width: NODE_W, height: NODE_H }}
            onClick={() => onSwitch(p.message.id)}
          />
        ))}
        </div>
      </div>
      <div className="dialog-buttons">
        <button onClick={onClose}>Close</button>
      </div>
    </Dialog>
  );
}

function MapNode({
  projectId,
  sessionId,
  message,
  current,
  leaf,
  style,
  onClick,
}: {
  projectId: string;
  sessionId: string;
  message: ChatMessage;
  current: boolean;
  leaf: boolean;
  style: React.CSSProperties;
  onClick: () => void;
}) {
  const isAnswer = message.role === 'assistant';
  const answer = useQuery({ ...answerQuery(projectId, sessionId, message.id), enabled: isAnswer && message.status !== 'streaming' });
  const sha = answer.data?.commits?.[answer.data.commits.length - 1];
  const summary = useQuery({ ...commitSummaryQuery(projectId, sha ?? ''), enabled: !!sha });
  const added = summary.data?.files.reduce((n, f) => n + (f.additions ?? 0), 0) ?? 0;
  const removed = summary.data?.files.reduce((n, f) => n + (f.deletions ?? 0), 0) ?? 0;
  const text = message.content.replace(/\s+/g, ' ').trim() || (isAnswer ? '(no text)' : '(empty)');
  const label = `${isAnswer ? 'Answer' : 'Prompt'}: ${text.slice(0, 60)}${sha ? `, commit ${sha.slice(0, 7)}` : ''}${current ? ', on the current path' : ''}`;
  return (
    <button
      role="treeitem"
      aria-selected={leaf}
      aria-label={label}
      title={message.content.slice(0, 400)}
      className={`map-node ${message.role}${current ? ' current' : ''}${leaf ? ' leaf' : ''}`}
      style={style}
      onClick={onClick}
    >
      <span className="map-text">{text}</span>
      {isAnswer && (
        <span className="map-meta">
          {sha ? (
            <>
              <span className="map-sha">✓ {sha.slice(0, 7)}</span>
              {summary.data && (
                <span className="diffstat">
                  {summary.data.files.length} file{summary.data.files.length === 1 ? '' : 's'} <span className="add">+{added}</span> <span className="del">−{removed}</span>
                </span>
              )}
            </>
          ) : (
            <span className="hint">{message.status === 'complete' ? 'no commit' : message.status}</span>
          )}
        </span>
      )}
    </button>
  );
}
