import { create } from 'zustand';

export type SideView = 'explorer' | 'search' | 'sessions' | 'history' | 'flows';
export type Theme = 'dark' | 'light';

/** The bottom panel: terminals (tabs of split terminal ids) and the preview. */
export interface BottomPanelState {
  visible: boolean;
  view: 'terminal' | 'preview';
  /** Height in percent of the editor column. */
  size: number;
  terminals: { tabs: string[][]; active: number };
  preview: { port: number | null; device: 'desktop' | 'tablet' | 'phone' };
}

export const defaultPanel: BottomPanelState = {
  visible: false,
  view: 'terminal',
  size: 32,
  terminals: { tabs: [], active: 0 },
  preview: { port: null, device: 'desktop' },
};

/** The shape saved per user and project (`PUT /api/projects/{id}/workbench`). */
export interface WorkbenchState {
  version: 1;
  layout: Record<string, number> | null;
  sideView: SideView;
  sideVisible: boolean;
  chatVisible: boolean;
  tabs: string[];
  active: string | null;
  /** Editor groups side by side, each with its tabs and active file; `tabs`/`active` are the union and the focused group's. */
  groups: Array<{ tabs: string[]; active: string | null }>;
  activeGroup: number;
  expanded: string[];
  sessionId: string | null;
  viewStates: Record<string, unknown>;
  panel: BottomPanelState;
}

export const defaultWorkbench: WorkbenchState = {
  version: 1,
  layout: null,
  sideView: 'explorer',
  sideVisible: true,
  chatVisible: true,
  tabs: [],
  active: null,
  groups: [],
  activeGroup: 0,
  expanded: [],
  sessionId: null,
  viewStates: {},
  panel: defaultPanel,
};

interface WorkbenchStore extends WorkbenchState {
  /** False until the saved state of the project was read (nothing is saved before). */
  restored: boolean;
  theme: Theme;
  restore(state: Partial<WorkbenchState> | null): void;
  set(change: Partial<WorkbenchState>): void;
  setTheme(theme: Theme): void;
  toggleSideView(view: SideView): void;
}

const themeKey = 'wright.theme';

function initialTheme(): Theme {
  const theme: Theme = localStorage.getItem(themeKey) === 'light' ? 'light' : 'dark';
  document.documentElement.dataset.theme = theme;
  return theme;
}

/** Layout and other UI state of the workspace; restored from and saved to the server. */
export const useWorkbenchStore = create<WorkbenchStore>((set) => ({
  ...defaultWorkbench,
  restored: false,
  theme: initialTheme(),
  restore: (state) => set({ ...defaultWorkbench, ...(state ?? {}), panel: { ...defaultPanel, ...(state?.panel ?? {}) }, version: 1, restored: true }),
  set: (change) => set(change),
  setTheme: (theme) => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem(themeKey, theme);
    set({ theme });
  },
  toggleSideView: (view) => set((s) => (s.sideView === view ? { sideVisible: !s.sideVisible } : { sideView: view, sideVisible: true })),
}));

export function snapshot(state: WorkbenchStore): WorkbenchState {
  return {
    version: 1,
    layout: state.layout,
    sideView: state.sideView,
    sideVisible: state.sideVisible,
    chatVisible: state.chatVisible,
    tabs: state.tabs,
    active: state.active,
    groups: state.groups,
    activeGroup: state.activeGroup,
    expanded: state.expanded,
    sessionId: state.sessionId,
    viewStates: state.viewStates,
    panel: state.panel,
  };
}
