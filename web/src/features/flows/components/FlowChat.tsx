import { useCallback, useEffect, useRef } from 'react';
import '../flows.css';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { CircleAlert, CircleCheck, CirclePause, CircleStop, Loader2, ScanSearch, Workflow } from 'lucide-react';
import { ErrorText } from '@/components/Dialog';
import { answerRun, cancelRun, flowQuery, flowsQuery, isActive, rememberRun, sessionRunsQuery, startRun, type FlowRun } from '../api';
import { choiceKey, useFlowChoice } from '../lib/flow-choice';
import { describeRun } from '../lib/run-events';
import { useRunEvents } from '../lib/run-stream';

/** The session's newest run (the one the chat shows and a prompt goes to). */
export function useLatestRun(sessionId: string | null): FlowRun | null {
  const runs = useQuery({ ...sessionRunsQuery(sessionId ?? ''), enabled: !!sessionId });
  return runs.data?.[0] ?? null;
}

/** The chosen flow for the session's next prompt: the user's pick, else the flow of its latest run (its last used flow), else the plain chat. */
export function useChosenFlow(projectId: string, sessionId: string | null): string {
  const picked = useFlowChoice((s) => s.bySession[choiceKey(projectId, sessionId)]);
  const lastUsed = useLatestRun(sessionId)?.flow;
  return picked ?? lastUsed ?? 'default';
}

/**
 * Where a prompt typed in the chat goes: the answer to the session's paused run, the input of a new
 * run of the chosen flow, or (false) the plain chat — the built-in `default` flow.
 */
export function useFlowPromptRoute(projectId: string, sessionId: string | null) {
  const client = useQueryClient();
  const chosen = useChosenFlow(projectId, sessionId);
  return useCallback(
    async (sessionId: string, content: string): Promise<boolean> => {
      const runs = await client.fetchQuery({ ...sessionRunsQuery(sessionId), staleTime: 2_000 });
      const latest = runs[0];
      if (isActive(latest) && latest.flow !== 'default') {
        rememberRun(client, await answerRun(latest.id, content));
        return true;
      }
      if (chosen === 'default') return false;
      // A session made by this prompt keeps the flow chosen before it existed.
      useFlowChoice.getState().choose(sessionId, chosen);
      rememberRun(client, await startRun(sessionId, chosen, content));
      return true;
    },
    [client, chosen],
  );
}

function RunIcon({ run }: { run: FlowRun }) {
  if (run.state === 'running') return <Loader2 size={12} className="spin" aria-hidden />;
  if (run.state === 'paused') return <CirclePause size={12} aria-hidden />;
  if (run.state === 'failed') return <CircleAlert size={12} aria-hidden />;
  if (run.state === 'completed') return <CircleCheck size={12} aria-hidden />;
  return <CircleStop size={12} aria-hidden />;
}

/** Under the session bar: the flow a new run uses, and the session's run — its state, a way to inspect it and to cancel it. */
export function FlowChatBar({ projectId, sessionId }: { projectId: string; sessionId: string | null }) {
  const client = useQueryClient();
  const flows = useQuery(flowsQuery(projectId));
  const chosen = useChosenFlow(projectId, sessionId);
  const choose = useFlowChoice((s) => s.choose);
  const run = useLatestRun(sessionId);
  const shown = run && run.flow !== 'default' ? run : null;
  const cancel = useMutation({ mutationFn: () => cancelRun(shown!.id), onSuccess: (r) => rememberRun(client, r) });
  const active = isActive(shown);
  return (
    <div className="flow-bar" role="toolbar" aria-label="Flow">
      <Workflow size={13} className="flow-bar-icon" aria-hidden />
      <select
        aria-label="Flow for new runs"
        title="The flow a new prompt runs (default: the plain chat)"
        value={chosen}
        disabled={active}
        onChange={(e) => choose(choiceKey(projectId, sessionId), e.target.value)}
      >
        {!(flows.data ?? []).some((f) => f.name === 'default') && <option value="default">default (chat)</option>}
        {(flows.data ?? []).map((f) => (
          <option key={f.name} value={f.name} disabled={!f.valid}>
            {f.name === 'default' ? 'default (chat)' : f.name}
            {f.valid ? '' : ' — invalid'}
          </option>
        ))}
        {chosen !== 'default' && flows.data && !flows.data.some((f) => f.name === chosen) && <option value={chosen}>{chosen} (missing)</option>}
      </select>
      {shown && (
        <span className={`flow-state flow-state-${shown.state}`} role="status" aria-label="Flow run state" title={describeRun(shown)}>
          <RunIcon run={shown} /> {shown.flow} · {describeRun(shown)}
        </span>
      )}
      <span className="spacer" />
      {shown && (
        <Link className="button icon" to={`/p/${projectId}/flow-runs/${shown.id}`} aria-label="Inspect run" title="Open the run inspector">
          <ScanSearch size={14} />
        </Link>
      )}
      {active && (
        <button className="icon" aria-label="Cancel run" title="Cancel the run" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
          <CircleStop size={14} />
        </button>
      )}
      <ErrorText error={cancel.error} />
    </div>
  );
}

/** Whether the chat shows a flow's transcript for the session (then it is not empty). */
export function useFlowTranscriptShown(projectId: string, sessionId: string | null): boolean {
  return useTranscriptRun(projectId, sessionId) !== null;
}

/**
 * The run whose transcript the chat shows: the session's latest non-chat run while it is active,
 * or after it ended while that flow is still the one chosen (choosing `default` puts it away).
 */
function useTranscriptRun(projectId: string, sessionId: string | null): FlowRun | null {
  const run = useLatestRun(sessionId);
  const chosen = useChosenFlow(projectId, sessionId);
  if (!run || run.flow === 'default') return null;
  return run.state === 'running' || run.state === 'paused' || chosen === run.flow ? run : null;
}

/** What the chat's prompt box says while a run waits for the user. */
export function useFlowPlaceholder(sessionId: string | null): string | undefined {
  const run = useLatestRun(sessionId);
  if (!run || run.flow === 'default') return undefined;
  if (run.state === 'paused') return `${run.pausedPrompt ?? `Answer ${run.pausedNodeId ?? 'the flow'}`} (Ctrl+Enter to answer)`;
  if (run.state === 'running') return `The flow is running ${run.currentNodeId ?? ''}…`;
  return undefined;
}

/** The session's latest (non-chat) run inside the conversation: prompts, answers, streamed model text, the end. */
export function FlowTranscript({ projectId, sessionId }: { projectId: string; sessionId: string | null }) {
  const shown = useTranscriptRun(projectId, sessionId);
  const events = useRunEvents(shown?.id ?? null);
  const template = useQuery({ ...flowQuery(projectId, shown?.flow ?? ''), enabled: !!shown, retry: false });
  // An llm node with tools runs a full answer, which the conversation above shows as messages
  // (tool cards, commit); its streamed text is not repeated here.
  const answered = new Set((template.data?.graph.nodes ?? []).filter((n) => n.type === 'llm' && n.tools !== false).map((n) => n.id));
  const end = useRef<HTMLDivElement>(null);
  const last = events[events.length - 1];
  // Follow the run as the conversation follows an answer.
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [events.length, last?.text]);
  if (!shown) return null;
  const types = new Map<string, string>();
  for (const e of events) if (e.event === 'nodeStart' && e.nodeId && typeof e.data.type === 'string') types.set(e.nodeId, e.data.type);
  return (
    <section className="flow-transcript" aria-label={`Flow run ${shown.flow}`}>
      <div className="flow-divider">
        <Workflow size={12} aria-hidden /> flow {shown.flow}
      </div>
      {events.map((e) => {
        const key = `${e.seq}-${e.event}`;
        if (e.event === 'chunk' && e.nodeId && answered.has(e.nodeId)) {
          return (
            <p key={key} className="hint flow-line">
              {e.nodeId} answered in the conversation above.
            </p>
          );
        }
        if (e.event === 'chunk') {
          return (
            <article key={key} className="message assistant flow-output" aria-label={`Output of ${e.nodeId ?? 'the flow'}`}>
              <div className="flow-node-tag">{e.nodeId}</div>
              <div className="message-text">{e.text}</div>
            </article>
          );
        }
        if (e.event === 'waitingForInput') {
          return (
            <p key={key} className="flow-prompt" role="note">
              <CirclePause size={12} aria-hidden /> <b>{e.nodeId}</b> asks: {String(e.data.prompt ?? 'your input')}
            </p>
          );
        }
        if (e.event === 'nodeEnd' && e.nodeId && types.get(e.nodeId) === 'userInput') {
          const text = firstText(e.data.outputs);
          return text ? (
            <article key={key} className="message user" aria-label="Your answer">
              <div className="message-text">{text}</div>
            </article>
          ) : null;
        }
        if (e.event === 'nodeEnd' && e.nodeId && types.get(e.nodeId) === 'action') {
          return (
            <p key={key} className="hint flow-line">
              {e.nodeId}: {summarize(e.data.outputs)}
            </p>
          );
        }
        if (e.event === 'error') {
          return (
            <p key={key} className="form-error" role="alert">
              {String(e.data.detail ?? 'The run failed.')} <span className="error-code">({String(e.data.code ?? 'flow_failed')})</span>
            </p>
          );
        }
        if (e.event === 'done' || e.event === 'cancelled') {
          return (
            <p key={key} className="hint flow-line">
              {e.event === 'done' ? 'The flow finished.' : 'The run was cancelled.'}
            </p>
          );
        }
        return null;
      })}
      <div ref={end} />
    </section>
  );
}

/** The text a node produced: a string, or the first string among an object's values. */
export function firstText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) if (typeof v === 'string') return v;
  }
  return '';
}

export function summarize(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}
