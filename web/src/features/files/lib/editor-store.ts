import { create } from 'zustand';

/** What the user sees of one open file; its text lives in a Monaco model (see documents.ts), not here. */
export interface DocState {
  status: 'loading' | 'ready' | 'error';
  error: string | null;
  binary: boolean;
  size: number;
  /** ETag of the version on disk the buffer is based on. */
  etag: string | null;
  dirty: boolean;
  saving: boolean;
  /** A save could not reach the server: it is retried when the connection is back. */
  pendingSave: boolean;
  /** The file changed on disk while the buffer had edits: who changed it. */
  diskChange: { source: string; deleted: boolean } | null;
  /** A save met a newer version on disk. */
  conflict: Conflict | null;
}

export interface Conflict {
  mine: string;
  theirs: string;
  theirsEtag: string;
  merged: { content: string; conflicts: number; etag: string } | null;
}

/** One editor group: its own tabs and active file. A file open in two groups is one document (one model, one dirty state). */
export interface EditorGroup {
  id: string;
  tabs: string[];
  active: string | null;
}

/** The groups as saved with the workbench (ids are not kept: they are given anew on restore). */
export interface SavedGroup {
  tabs: string[];
  active: string | null;
}

interface EditorState {
  groups: EditorGroup[];
  /** The group that has the focus: opening a file puts it there. */
  activeGroup: string;
  /** Every open file once, in group order (derived from the groups). */
  tabs: string[];
  /** The active file of the active group (derived). */
  active: string | null;
  docs: Record<string, DocState>;
  /** Opens a file in a group (the active one by default) and makes it that group's active file. */
  open(path: string, groupId?: string): void;
  /** Closes a file in every group. */
  close(path: string): void;
  /** Closes one group's tab; a group left without tabs closes (unless it is the last one). */
  closeTab(groupId: string, path: string): void;
  activate(path: string, groupId?: string): void;
  focusGroup(groupId: string): void;
  /** Opens the active group's file in a new group to its right, which becomes active. */
  split(): void;
  /** Moves a tab to another group (`'new'`: a new group at the end) at an index (the end by default). */
  moveTab(path: string, fromGroup: string, toGroup: string | 'new', index?: number): void;
  setTabs(tabs: string[], active: string | null): void;
  setGroups(groups: SavedGroup[], activeGroup: number): void;
  patch(path: string, change: Partial<DocState>): void;
  rename(from: string, to: string): void;
  reset(): void;
}

export const emptyDoc: DocState = {
  status: 'loading',
  error: null,
  binary: false,
  size: 0,
  etag: null,
  dirty: false,
  saving: false,
  pendingSave: false,
  diskChange: null,
  conflict: null,
};

let nextGroup = 1;
const newGroupId = () => `g${nextGroup++}`;

type Core = Pick<EditorState, 'groups' | 'activeGroup' | 'docs'>;

/** Recomputes the derived fields and drops documents no group shows any more. */
function settle(core: Core): Pick<EditorState, 'groups' | 'activeGroup' | 'tabs' | 'active' | 'docs'> {
  let groups = core.groups.filter((g, i) => g.tabs.length > 0 || (i === 0 && core.groups.every((o) => o.tabs.length === 0)));
  if (groups.length === 0) groups = [{ id: newGroupId(), tabs: [], active: null }];
  const activeGroup = groups.some((g) => g.id === core.activeGroup) ? core.activeGroup : (groups[groups.length - 1]?.id ?? '');
  const tabs = [...new Set(groups.flatMap((g) => g.tabs))];
  let docs = core.docs;
  const missing = tabs.some((t) => !docs[t]);
  const extra = Object.keys(docs).some((p) => !tabs.includes(p));
  if (missing || extra) {
    docs = {};
    for (const tab of tabs) docs[tab] = core.docs[tab] ?? { ...emptyDoc };
  }
  const active = groups.find((g) => g.id === activeGroup)?.active ?? null;
  return { groups, activeGroup, tabs, active, docs };
}

function withTab(group: EditorGroup, path: string, index?: number): EditorGroup {
  if (group.tabs.includes(path)) return { ...group, active: path };
  const tabs = [...group.tabs];
  tabs.splice(index ?? tabs.length, 0, path);
  return { ...group, tabs, active: path };
}

function withoutTab(group: EditorGroup, path: string): EditorGroup {
  const index = group.tabs.indexOf(path);
  if (index < 0) return group;
  const tabs = group.tabs.filter((t) => t !== path);
  const active = group.active === path ? (tabs[Math.min(index, tabs.length - 1)] ?? null) : group.active;
  return { ...group, tabs, active };
}

const initial = () => settle({ groups: [{ id: newGroupId(), tabs: [], active: null }], activeGroup: '', docs: {} });

/** Editor groups, their tabs and the state of each open file for the workspace shown (UI state only). */
export const useEditorStore = create<EditorState>((set) => ({
  ...initial(),
  open: (path, groupId) =>
    set((s) => {
      const target = groupId ?? s.activeGroup;
      return settle({ ...s, activeGroup: target, groups: s.groups.map((g) => (g.id === target ? withTab(g, path) : g)) });
    }),
  close: (path) => set((s) => settle({ ...s, groups: s.groups.map((g) => withoutTab(g, path)) })),
  closeTab: (groupId, path) => set((s) => settle({ ...s, groups: s.groups.map((g) => (g.id === groupId ? withoutTab(g, path) : g)) })),
  activate: (path, groupId) =>
    set((s) => {
      const target = groupId ?? s.groups.find((g) => g.id === s.activeGroup && g.tabs.includes(path))?.id ?? s.groups.find((g) => g.tabs.includes(path))?.id;
      if (!target) return s;
      return settle({ ...s, activeGroup: target, groups: s.groups.map((g) => (g.id === target ? { ...g, active: path } : g)) });
    }),
  focusGroup: (groupId) => set((s) => (s.activeGroup === groupId || !s.groups.some((g) => g.id === groupId) ? s : settle({ ...s, activeGroup: groupId }))),
  split: () =>
    set((s) => {
      const index = s.groups.findIndex((g) => g.id === s.activeGroup);
      const source = s.groups[index];
      if (!source?.active) return s;
      const group: EditorGroup = { id: newGroupId(), tabs: [source.active], active: source.active };
      const groups = [...s.groups];
      groups.splice(index + 1, 0, group);
      return settle({ ...s, groups, activeGroup: group.id });
    }),
  moveTab: (path, fromGroup, toGroup, index) =>
    set((s) => {
      if (fromGroup === toGroup || !s.groups.find((g) => g.id === fromGroup)?.tabs.includes(path)) {
        if (fromGroup !== toGroup || index === undefined) return s;
        // Reordering within a group.
        return settle({
          ...s,
          groups: s.groups.map((g) => {
            if (g.id !== fromGroup) return g;
            const tabs = g.tabs.filter((t) => t !== path);
            tabs.splice(Math.min(index, tabs.length), 0, path);
            return { ...g, tabs, active: path };
          }),
        });
      }
      let groups = s.groups;
      let target = toGroup;
      if (toGroup === 'new' || !groups.some((g) => g.id === toGroup)) {
        target = newGroupId();
        groups = [...groups, { id: target, tabs: [], active: null }];
      }
      groups = groups.map((g) => (g.id === fromGroup ? withoutTab(g, path) : g.id === target ? withTab(g, path, index) : g));
      return settle({ ...s, groups, activeGroup: target });
    }),
  setTabs: (tabs, active) => set((s) => settle({ ...s, groups: [{ id: newGroupId(), tabs, active }], activeGroup: '' })),
  setGroups: (saved, activeGroup) =>
    set((s) => {
      const groups = saved
        .map((g) => ({ id: newGroupId(), tabs: [...new Set(g.tabs)], active: g.active && g.tabs.includes(g.active) ? g.active : (g.tabs[0] ?? null) }))
        .filter((g) => g.tabs.length > 0);
      return settle({ ...s, groups, activeGroup: groups[Math.min(Math.max(activeGroup, 0), groups.length - 1)]?.id ?? '' });
    }),
  patch: (path, change) =>
    set((s) => {
      const doc = s.docs[path];
      return doc ? { docs: { ...s.docs, [path]: { ...doc, ...change } } } : s;
    }),
  rename: (from, to) =>
    set((s) => {
      const doc = s.docs[from];
      if (!doc) return s;
      const docs = { ...s.docs, [to]: doc };
      delete docs[from];
      const groups = s.groups.map((g) => ({ ...g, tabs: g.tabs.map((t) => (t === from ? to : t)), active: g.active === from ? to : g.active }));
      return settle({ ...s, groups, docs });
    }),
  reset: () => set(initial()),
}));

/** The groups in the shape saved with the workbench, and the index of the active one. */
export function savedGroups(state: Pick<EditorState, 'groups' | 'activeGroup'>): { groups: SavedGroup[]; activeGroup: number } {
  return {
    groups: state.groups.map((g) => ({ tabs: g.tabs, active: g.active })),
    activeGroup: Math.max(0, state.groups.findIndex((g) => g.id === state.activeGroup)),
  };
}

export function sameGroups(a: SavedGroup[], b: SavedGroup[]): boolean {
  return a.length === b.length && a.every((g, i) => g.active === b[i]!.active && g.tabs.length === b[i]!.tabs.length && g.tabs.every((t, j) => t === b[i]!.tabs[j]));
}
