import { readSse, type SseEvent } from '@/lib/sse';
import { useAnswerStore, type ToolCard } from './answer-store';

type Data = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Applies one event of an answer's stream to the answer store; returns the message id it concerns. */
export function applyAnswerEvent(event: SseEvent, current: string | null): string | null {
  const data = (event.data ? JSON.parse(event.data) : {}) as Data;
  const store = useAnswerStore.getState();
  const id = str(data.messageId) || (data.message as Data | undefined)?.id;
  const messageId = typeof id === 'string' && id ? id : current;
  if (!messageId) return current;
  switch (event.event) {
    case 'message.created':
      store.apply(messageId, () => ({}));
      break;
    case 'delta':
      store.apply(messageId, (a) => ({ text: a.text + str(data.text) }));
      break;
    case 'toolCall':
      store.apply(messageId, (a) => ({ tools: [...a.tools, { id: str(data.id), name: str(data.name), arguments: str(data.arguments), result: null, output: '' }] }));
      break;
    case 'command.output':
      store.apply(messageId, (a) => ({ tools: a.tools.map((t) => (t.id === data.callId ? { ...t, output: t.output + str(data.text) } : t)) }));
      break;
    case 'toolResult':
      store.apply(messageId, (a) => {
        const result = { ok: data.ok === true, code: typeof data.code === 'string' ? data.code : null, output: str(data.output) };
        const known = a.tools.some((t) => t.id === data.callId);
        const tools: ToolCard[] = known
          ? a.tools.map((t) => (t.id === data.callId ? { ...t, result } : t))
          : [...a.tools, { id: str(data.callId), name: str(data.name), arguments: '', result, output: '' }];
        return { tools };
      });
      break;
    case 'approval.required':
      store.apply(messageId, (a) => ({
        approvals: [...a.approvals, { approvalId: str(data.approvalId), callId: str(data.callId), command: str(data.command), decided: null }],
      }));
      break;
    case 'approval.resolved':
      store.apply(messageId, (a) => ({ approvals: a.approvals.map((x) => (x.approvalId === data.approvalId ? { ...x, decided: data.approved === true } : x)) }));
      break;
    case 'usage':
      store.apply(messageId, () => ({
        usage: { inputTokens: Number(data.inputTokens ?? 0), outputTokens: Number(data.outputTokens ?? 0), cost: Number(data.cost ?? 0), model: str(data.model) },
      }));
      break;
    case 'action.committed':
      store.apply(messageId, () => ({
        commit: { commit: str(data.commit), subject: str(data.subject), files: (data.files as Array<{ path: string; kind: string }>) ?? [] },
      }));
      break;
    case 'action.failed': {
      const failure = data.failure as Data | undefined;
      store.apply(messageId, () => ({ failure: str(failure?.detail) || str(failure?.message) || str(failure?.code) || 'The changes could not be applied.' }));
      break;
    }
    case 'answer.stopped':
      store.apply(messageId, () => ({ stopped: { reason: str(data.reason), detail: typeof data.detail === 'string' ? data.detail : null } }));
      break;
    case 'message.completed':
      store.apply(messageId, () => ({ done: true }));
      break;
    case 'error':
      store.apply(messageId, () => ({ done: true, error: { code: typeof data.code === 'string' ? data.code : null, detail: typeof data.detail === 'string' ? data.detail : null } }));
      break;
    default:
      break;
  }
  return messageId;
}

/** How often streamed text reaches the store (and so the screen): often enough to read as live. */
const deltaFlushMs = 50;
/** The longest the reader works before letting the browser paint and handle input. */
const sliceMs = 16;

/**
 * Reads an answer's stream to its end into the store. Text deltas are gathered and applied at most
 * every {@link deltaFlushMs}, and the reader yields to the browser every {@link sliceMs}: a fast
 * stream of thousands of small chunks would otherwise re-render the answer once per chunk in one
 * long task.
 */
export async function readAnswer(response: Response, sessionId: string, signal: AbortSignal): Promise<string | null> {
  if (!response.body) return null;
  const store = useAnswerStore.getState();
  store.setStreaming({ sessionId, messageId: null });
  let messageId: string | null = null;
  // Text received and not yet applied (an object, so the closures below and the loop share it).
  const pending = { id: '', text: '' };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (!pending.text) return;
    const { id, text } = pending;
    pending.text = '';
    useAnswerStore.getState().apply(id, (a) => ({ text: a.text + text }));
  };
  let sliceStart = performance.now();
  try {
    for await (const event of readSse(response.body, signal)) {
      if (!event.event) continue;
      if (event.event === 'delta') {
        const data = (event.data ? JSON.parse(event.data) : {}) as Data;
        const id = str(data.messageId) || messageId;
        if (id) {
          if (pending.id !== id) flush();
          pending.id = id;
          pending.text += str(data.text);
          timer ??= setTimeout(flush, deltaFlushMs);
        }
      } else {
        flush();
        const before: string | null = messageId;
        messageId = applyAnswerEvent(event, messageId);
        if (messageId && messageId !== before && event.event === 'message.created') store.setStreaming({ sessionId, messageId });
      }
      if (performance.now() - sliceStart > sliceMs) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        sliceStart = performance.now();
      }
    }
  } finally {
    flush();
    useAnswerStore.getState().setStreaming(null);
  }
  return messageId;
}
