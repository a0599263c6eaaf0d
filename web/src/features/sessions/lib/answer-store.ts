import { create } from 'zustand';

export interface ToolCard {
  id: string;
  name: string;
  arguments: string;
  result: { ok: boolean; code: string | null; output: string } | null;
  output: string;
}

export interface LiveAnswer {
  messageId: string;
  text: string;
  tools: ToolCard[];
  commit: { commit: string; subject: string; files: Array<{ path: string; kind: string }> } | null;
  failure: string | null;
  usage: { inputTokens: number; outputTokens: number; cost: number; model: string } | null;
  stopped: { reason: string; detail: string | null } | null;
  error: { code: string | null; detail: string | null } | null;
  done: boolean;
  undone: boolean;
  /** Commands waiting for the user's decision (`ask` approval policy). */
  approvals: Array<{ approvalId: string; callId: string; command: string; decided: boolean | null }>;
}

/** What the streams of answers said beyond the stored message: tool cards, commits, usage (kept per message for this page's life). */
interface AnswerStore {
  answers: Record<string, LiveAnswer>;
  streaming: { sessionId: string; messageId: string | null } | null;
  apply(messageId: string, change: (answer: LiveAnswer) => Partial<LiveAnswer>): void;
  setStreaming(streaming: AnswerStore['streaming']): void;
}

export function emptyAnswer(messageId: string): LiveAnswer {
  return { messageId, text: '', tools: [], commit: null, failure: null, usage: null, stopped: null, error: null, done: false, undone: false, approvals: [] };
}

export const useAnswerStore = create<AnswerStore>((set) => ({
  answers: {},
  streaming: null,
  apply: (messageId, change) =>
    set((s) => {
      const current = s.answers[messageId] ?? emptyAnswer(messageId);
      return { answers: { ...s.answers, [messageId]: { ...current, ...change(current) } } };
    }),
  setStreaming: (streaming) => set({ streaming }),
}));
