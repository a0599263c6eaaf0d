import { describe, expect, it } from 'vitest';
import type { ChatMessage, SessionTree } from '../api';
import { layoutTree } from './BranchMap';

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
