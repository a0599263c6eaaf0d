import { describe, expect, it } from 'vitest';
import type { ChatMessage, SessionTree } from '../api';
import { layoutTree, mergeableLeaves, mergeEdges } from './BranchMap';

const msg = (id: string, parentId: string | null, role: 'user' | 'assistant' = 'user'): ChatMessage => ({
  id, parentId, role, content: id, status: 'complete', model: null, toolCalls: [], errorCode: null, errorDetail: null, createdAt: '', siblingIds: [], siblingIndex: 0, childIds: [],
});

const tree = (messages: ChatMessage[]): SessionTree =>
  ({ session: { id: 's' }, currentLeafId: null, activePath: [], messages, totals: {} }) as unknown as SessionTree;

describe('layoutTree', () => {
  it('puts a linear conversation on one row, one column per message', () => {
    const placed = layoutTree(tree([msg('u1', null), msg('a1', 'u1', 'assistant'), msg('u2', 'a1')]));
    expect(placed.map((p) => [p.message.id, p.column, p.row])).toEqual([['u1', 0, 0], ['a1', 1, 0], ['u2', 2, 0]]);
  });

  it('opens a new row below for every branch, including an edited first prompt', () => {
    const placed = layoutTree(
      tree([msg('u1', null), msg('a1', 'u1', 'assistant'), msg('u2', 'a1'), msg('a2', 'u2', 'assistant'), msg('u2b', 'a1'), msg('u1b', null)]),
    );
    const at = Object.fromEntries(placed.map((p) => [p.message.id, [p.column, p.row]]));
    expect(at).toEqual({ u1: [0, 0], a1: [1, 0], u2: [2, 0], a2: [3, 0], u2b: [2, 1], u1b: [0, 2] });
  });
});

describe('merges on the map', () => {
  // u1 → a1 → u2 → a2 → um → am (a merge of a3), and a1 → u3 → a3 (the merged branch).
  const withChildren = (messages: ChatMessage[]) =>
    messages.map((m) => ({ ...m, childIds: messages.filter((c) => c.parentId === m.id).map((c) => c.id) }));
  const messages = withChildren([
    msg('u1', null), msg('a1', 'u1', 'assistant'), msg('u2', 'a1'), msg('a2', 'u2', 'assistant'), msg('um', 'a2'), msg('am', 'um', 'assistant'),
    msg('u3', 'a1'), msg('a3', 'u3', 'assistant'), msg('u4', 'a1'), msg('a4', 'u4', 'assistant'),
  ]);
  const merged = {
    ...tree(messages),
    activePath: ['u1', 'a1', 'u2', 'a2', 'um', 'am'],
    merges: [
      { messageId: 'am', fromSessionId: 's', fromMessageId: 'a3', mergedCommit: 'c3', commitSha: 'cm', strategy: null, createdAt: '' },
      { messageId: 'am', fromSessionId: 'other', fromMessageId: 'x9', mergedCommit: 'c9', commitSha: 'cn', strategy: 'theirs' as const, createdAt: '' },
    ],
  } as SessionTree;

  it('draws an edge from each merged leaf of this session to its merge, none for another session', () => {
    const placed = layoutTree(merged);
    expect(mergeEdges(merged, placed).map((e) => [e.from.message.id, e.to.message.id])).toEqual([['a3', 'am']]);
  });

  it('offers only answers ending another branch the current path has not merged', () => {
    expect([...mergeableLeaves(merged)]).toEqual(['a4']);
    const unmerged = { ...merged, merges: [] };
    expect([...mergeableLeaves(unmerged)].sort()).toEqual(['a3', 'a4']);
    const streaming = { ...unmerged, messages: merged.messages.map((m) => (m.id === 'a4' ? { ...m, status: 'streaming' as const } : m)) };
    expect([...mergeableLeaves(streaming)]).toEqual(['a3']);
  });
});
