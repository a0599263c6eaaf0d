import { create } from 'zustand';
import { ApiError } from './api-error';

export interface Notice {
  id: number;
  kind: 'info' | 'success' | 'error' | 'progress';
  title: string;
  detail: string | null;
  code: string | null;
  at: number;
  /** A long operation's progress in percent (0–100), shown as a bar; absent when unknown. */
  progress?: number | null;
  /** Cancels the operation (shown as a button while it is in progress). */
  onCancel?: (() => void) | null;
}

interface NoticeStore {
  items: Notice[];
  unread: number;
  push(notice: Omit<Notice, 'id' | 'at'>): number;
  update(id: number, change: Partial<Omit<Notice, 'id'>>): void;
  markRead(): void;
}

let next = 1;

/** The notification centre: every long operation and every error, newest first (the last 100). */
export const useNotices = create<NoticeStore>((set) => ({
  items: [],
  unread: 0,
  push: (notice) => {
    const id = next++;
    set((s) => ({ items: [{ ...notice, id, at: Date.now() }, ...s.items].slice(0, 100), unread: s.unread + 1 }));
    return id;
  },
  update: (id, change) => set((s) => ({ items: s.items.map((n) => (n.id === id ? { ...n, ...change } : n)) })),
  markRead: () => set({ unread: 0 }),
}));

/** Reports a failure with the problem's detail and code. */
export function notifyError(title: string, error: unknown): void {
  const detail = error instanceof ApiError ? error.detail : error instanceof Error ? error.message : String(error);
  const code = error instanceof ApiError ? error.code : null;
  useNotices.getState().push({ kind: 'error', title, detail, code });
}

/** A browser notification, only while the tab is hidden and only when the user allowed them. */
export function notifyWhenHidden(title: string, body: string): void {
  if (typeof Notification === 'undefined' || !document.hidden || Notification.permission !== 'granted') return;
  new Notification(title, { body, tag: 'wright' });
}
