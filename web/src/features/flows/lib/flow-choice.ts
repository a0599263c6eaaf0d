import { create } from 'zustand';

/** The flow the chat's next prompt starts, per session (UI state; a session's own `lastUsedFlow` is the first choice). */
interface FlowChoice {
  bySession: Record<string, string>;
  choose(sessionKey: string, flow: string): void;
}

export const useFlowChoice = create<FlowChoice>((set) => ({
  bySession: {},
  choose: (sessionKey, flow) => set((s) => ({ bySession: { ...s.bySession, [sessionKey]: flow } })),
}));

/** The key a choice is kept under: the session, or the project's "new session" before one exists. */
export const choiceKey = (projectId: string, sessionId: string | null) => sessionId ?? `new:${projectId}`;
