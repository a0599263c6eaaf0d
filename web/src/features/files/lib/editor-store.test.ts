import { beforeEach, describe, expect, it } from 'vitest';
import { sameGroups, savedGroups, useEditorStore } from './editor-store';

const store = () => useEditorStore.getState();

describe('editor store', () => {
  beforeEach(() => store().reset());

  it('opens a file once and makes it active', () => {
    store().open('a.py');
    store().open('b.py');
    store().open('a.py');

    expect(store().tabs).toEqual(['a.py', 'b.py']);
    expect(store().active).toBe('a.py');
    expect(store().docs['a.py']?.status).toBe('loading');
  });

  it('closing the active tab activates its neighbour and forgets its state', () => {
    ['a', 'b', 'c'].forEach((p) => store().open(p));
    store().activate('b');

    store().close('b');

    expect(store().tabs).toEqual(['a', 'c']);
    expect(store().active).toBe('c');
    expect(store().docs.b).toBeUndefined();
  });

  it('renaming keeps the tab position, its state and the active file', () => {
    ['a', 'b'].forEach((p) => store().open(p));
    store().patch('a', { dirty: true });
    store().activate('a');

    store().rename('a', 'x/a');

    expect(store().tabs).toEqual(['x/a', 'b']);
    expect(store().active).toBe('x/a');
    expect(store().docs['x/a']?.dirty).toBe(true);
  });

  it('restored tabs get a loading state each', () => {
    store().setTabs(['a', 'b'], 'b');

    expect(store().active).toBe('b');
    expect(Object.keys(store().docs)).toEqual(['a', 'b']);
  });
});

describe('editor groups', () => {
  beforeEach(() => store().reset());
  const group = (i: number) => store().groups[i]!;

  it('splitting opens the active file in a new group to the right, which takes the focus', () => {
    ['a', 'b'].forEach((p) => store().open(p));
    store().activate('a');
    const first = group(0).id;

    store().split();

    expect(store().groups.map((g) => g.tabs)).toEqual([['a', 'b'], ['a']]);
    expect(store().activeGroup).toBe(group(1).id);
    expect(store().activeGroup).not.toBe(first);
    expect(store().active).toBe('a');
    // One document for both tabs: one dirty state.
    expect(store().tabs).toEqual(['a', 'b']);
    store().patch('a', { dirty: true });
    expect(Object.keys(store().docs)).toEqual(['a', 'b']);
  });

  it('splitting an empty group does nothing', () => {
    store().split();
    expect(store().groups).toHaveLength(1);
  });

  it('opening puts the file in the focused group only', () => {
    store().open('a');
    store().split();
    store().open('c');

    expect(group(0).tabs).toEqual(['a']);
    expect(group(1).tabs).toEqual(['a', 'c']);
    store().focusGroup(group(0).id);
    store().open('d');
    expect(group(0).tabs).toEqual(['a', 'd']);
    expect(store().active).toBe('d');
  });

  it('closing a tab keeps the document while another group shows it, and closing a group\'s last tab closes the group', () => {
    store().open('a');
    store().open('b');
    store().split(); // b in both
    const second = group(1).id;

    store().closeTab(second, 'b');

    expect(store().groups).toHaveLength(1);
    expect(store().docs.b).toBeDefined();
    expect(store().activeGroup).toBe(group(0).id);
    store().closeTab(group(0).id, 'b');
    expect(store().docs.b).toBeUndefined();
    expect(store().tabs).toEqual(['a']);
  });

  it('the last group stays, empty, when its last tab closes', () => {
    store().open('a');
    store().closeTab(group(0).id, 'a');
    expect(store().groups).toHaveLength(1);
    expect(store().active).toBeNull();
    expect(store().docs).toEqual({});
  });

  it('close removes a file from every group (a deleted file)', () => {
    store().open('a');
    store().open('b');
    store().split();
    store().close('b');
    expect(store().groups.map((g) => g.tabs)).toEqual([['a']]);
  });

  it('moving a tab takes it out of its group into the other at the index, and an emptied group closes', () => {
    ['a', 'b'].forEach((p) => store().open(p));
    store().split(); // [a,b] [b]
    store().open('c'); // [a,b] [b,c]
    const [left, right] = [group(0).id, group(1).id];

    store().moveTab('a', left, right, 0);
    expect(store().groups.map((g) => g.tabs)).toEqual([['b'], ['a', 'b', 'c']]);
    expect(store().activeGroup).toBe(right);
    expect(store().active).toBe('a');

    store().moveTab('b', left, right);
    expect(store().groups.map((g) => g.tabs)).toEqual([['a', 'b', 'c']]);
  });

  it('moving to a new group appends one; reordering within a group moves the tab', () => {
    ['a', 'b', 'c'].forEach((p) => store().open(p));
    const only = group(0).id;
    store().moveTab('a', only, only, 2);
    expect(group(0).tabs).toEqual(['b', 'c', 'a']);

    store().moveTab('c', only, 'new');
    expect(store().groups.map((g) => g.tabs)).toEqual([['b', 'a'], ['c']]);
  });

  it('renaming renames the tab in every group', () => {
    store().open('a');
    store().split();
    store().rename('a', 'x/a');
    expect(store().groups.map((g) => g.tabs)).toEqual([['x/a'], ['x/a']]);
    expect(store().active).toBe('x/a');
  });

  it('saved groups restore with their tabs and the focused group; empty groups are dropped', () => {
    store().open('a');
    store().open('b');
    store().split();
    const saved = savedGroups(store());
    expect(saved).toEqual({ groups: [{ tabs: ['a', 'b'], active: 'b' }, { tabs: ['b'], active: 'b' }], activeGroup: 1 });

    store().reset();
    store().setGroups([{ tabs: ['a', 'b'], active: 'a' }, { tabs: [], active: null }, { tabs: ['c'], active: 'missing' }], 2);

    expect(store().groups.map((g) => [g.tabs, g.active])).toEqual([[['a', 'b'], 'a'], [['c'], 'c']]);
    expect(store().active).toBe('c');
    expect(Object.keys(store().docs).sort()).toEqual(['a', 'b', 'c']);
    expect(sameGroups(savedGroups(store()).groups, [{ tabs: ['a', 'b'], active: 'a' }, { tabs: ['c'], active: 'c' }])).toBe(true);
  });
});
