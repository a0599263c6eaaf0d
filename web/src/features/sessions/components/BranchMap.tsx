import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Dialog } from '@/components/Dialog';
import { GitMerge } from 'lucide-react';
import { answerQuery, commitSummaryQuery, type ChatMessage, type SessionTree } from '../api';

const COLUMN = 200;
const ROW = 64;
const NODE_W = 176;
const NODE_H = 48;
/** Room right of the deepest column for a leaf's merge button. */
const MERGE_ROOM = 150;

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
 * The merge edges the map draws: from each merged leaf of this session to the merge answer that
 * took it in (merges from another session have no leaf here; their merge node says so instead).
 */
export function mergeEdges(tree: SessionTree, placed: Placed[]): Array<{ from: Placed; to: Placed; key: string }> {
  const where = new Map(placed.map((p) => [p.message.id, p]));
  return (tree.merges ?? [])
    .filter((m) => m.fromSessionId === tree.session.id && where.has(m.fromMessageId) && where.has(m.messageId))
    .map((m) => ({ from: where.get(m.fromMessageId)!, to: where.get(m.messageId)!, key: `${m.fromMessageId}->${m.messageId}` }));
}

/** Leaves a merge can take in: an answer that ends a branch other than the current path and that the current path has not merged yet. */
export function mergeableLeaves(tree: SessionTree): Set<string> {
  const active = new Set(tree.activePath);
  const merged = new Set((tree.merges ?? []).filter((m) => active.has(m.messageId)).map((m) => m.fromMessageId));
  return new Set(
    tree.messages.filter((m) => m.childIds.length === 0 && m.role === 'assistant' && m.status !== 'streaming' && !active.has(m.id) && !merged.has(m.id)).map((m) => m.id),
  );
}

/** A branch's name for people: the prompt its leaf answered (an answer's own text is mostly code). */
function branchName(tree: SessionTree, leaf: ChatMessage): string {
  const prompt = leaf.role === 'assistant' ? tree.messages.find((m) => m.id === leaf.parentId) : leaf;
  return (prompt?.content ?? leaf.content).replace(/\s+/g, ' ').trim();
}

/**
 * The branch map: the whole session tree, each answer with its commit and diffstat, the current
 * path highlighted, merges drawn as dashed edges. Clicking a node switches the session (and the
 * workspace) to it; another branch's leaf can be merged into the current one.
 */
export function BranchMap({
  projectId,
  tree,
  onSwitch,
  onMerge,
  onClose,
}: {
  projectId: string;
  tree: SessionTree;
  onSwitch: (messageId: string) => void;
  onMerge?: (leafId: string, name: string) => void;
  onClose: () => void;
}) {
  const placed = useMemo(() => layoutTree(tree), [tree]);
  const active = useMemo(() => new Set(tree.activePath), [tree.activePath]);
  const where = useMemo(() => new Map(placed.map((p) => [p.message.id, p])), [placed]);
  const merges = useMemo(() => mergeEdges(tree, placed), [tree, placed]);
  const mergeable = useMemo(() => (onMerge ? mergeableLeaves(tree) : new Set<string>()), [tree, onMerge]);
  const mergedIn = useMemo(() => new Map((tree.merges ?? []).map((m) => [m.messageId, m])), [tree.merges]);
  const width = (Math.max(0, ...placed.map((p) => p.column)) + 1) * COLUMN + (mergeable.size > 0 ? MERGE_ROOM : 0);
  const height = (Math.max(0, ...placed.map((p) => p.row)) + 1) * ROW;
  return (
    <Dialog title="Branch map" onClose={onClose} wide>
      <p className="hint">
        Every prompt and answer of this session; a branch starts where a prompt was edited or an answer regenerated. Click a message to switch to it
        {onMerge ? ', or merge another branch into the current one' : ''}. Dashed lines are merges.
      </p>
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
          {merges.map(({ from, to, key }) => {
            const x1 = from.column * COLUMN + NODE_W / 2;
            const y1 = from.row * ROW + (from.row < to.row ? NODE_H : 0) + 8;
            const x2 = to.column * COLUMN + NODE_W / 2;
            const y2 = to.row * ROW + (from.row < to.row ? 0 : NODE_H) + 8;
            const bend = (y1 + y2) / 2;
            return <path key={key} d={`M${x1},${y1} C${x1},${bend} ${x2},${bend} ${x2},${y2}`} className="edge merge" data-merge={key} />;
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
            mergedFrom={mergedIn.get(p.message.id)?.fromSessionId !== undefined && mergedIn.get(p.message.id)?.fromSessionId !== tree.session.id}
            onClick={() => onSwitch(p.message.id)}
          />
        ))}
        {onMerge &&
          placed
            .filter((p) => mergeable.has(p.message.id))
            .map((p) => (
              <button
                key={`merge-${p.message.id}`}
                className="map-merge"
                style={{ left: p.column * COLUMN + NODE_W + 14, top: p.row * ROW + NODE_H / 2 - 4 }}
                aria-label={`Merge into current: ${branchName(tree, p.message).slice(0, 60)}`}
                title="Merge this branch into the current one: a git merge of both branches' commits, recorded as a merge turn"
                onClick={() => onMerge(p.message.id, branchName(tree, p.message))}
              >
                <GitMerge size={12} aria-hidden /> Merge into current
              </button>
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
  mergedFrom,
  onClick,
}: {
  projectId: string;
  sessionId: string;
  message: ChatMessage;
  current: boolean;
  leaf: boolean;
  style: React.CSSProperties;
  /** A merge of another session of the project: no edge to draw, a badge instead. */
  mergedFrom: boolean;
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
      <span className="map-text">
        {mergedFrom && (
          <span className="map-merged" title="Merged from another session">
            <GitMerge size={10} aria-hidden />{' '}
          </span>
        )}
        {text}
      </span>
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
