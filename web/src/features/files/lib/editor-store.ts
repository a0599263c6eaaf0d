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

interface EditorState {
  tabs: string[];
  active: string | null;
  docs: Record<string, DocState>;
  open(path: string): void;
  close(path: string): void;
  activate(path: string): void;
  setTabs(tabs: string[], active: string | null): void;
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

/** Open tabs and their state for the workspace shown (UI state only; file contents are server state or Monaco's). */
export const useEditorStore = create<EditorState>((set) => ({
  tabs: [],
  active: null,
  docs: {},
  open: (path) =>
    set((s) => ({
      tabs: s.tabs.includes(path) ? s.tabs : [...s.tabs, path],
      active: path,
      docs: s.docs[path] ? s.docs : { ...s.docs, [path]: { ...emptyDoc } },
    })),
  close: (path) =>
    set((s) => {
      const index = s.tabs.indexOf(path);
      const tabs = s.tabs.filter((t) => t !== path);
      const docs = { ...s.docs };
      delete docs[path];
      const active = s.active === path ? (tabs[Math.min(index, tabs.length - 1)] ?? null) : s.active;
      return { tabs, docs, active };
    }),
  activate: (path) => set({ active: path }),
  setTabs: (tabs, active) =>
    set((s) => {
      const docs = { ...s.docs };
      for (const tab of tabs) docs[tab] ??= { ...emptyDoc };
      return { tabs, active, docs };
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
      return { docs, tabs: s.tabs.map((t) => (t === from ? to : t)), active: s.active === from ? to : s.active };
    }),
  reset: () => set({ tabs: [], active: null, docs: {} }),
}));
