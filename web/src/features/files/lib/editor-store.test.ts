import { beforeEach, describe, expect, it } from 'vitest';
import { useEditorStore } from './editor-store';

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
