import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Check, ChevronLeft, ChevronRight, CircleStop, Eye, FileText, Info, List, Network, Pencil, Plus, SendHorizontal, Trash2, Undo2, Wrench, X } from 'lucide-react';
import { ErrorText } from '@/components/Dialog';
import { PatchView } from '@/components/PatchView';
import { isApiError } from '@/lib/api-error';
import { usePreferences } from '@/lib/preferences';
import { notifyError, notifyWhenHidden, useNotices } from '@/lib/notifications';
import {
  commitEdits,
  createSession,
  decideApproval,
  deleteSession,
  regenerate,
  modelsQuery,
  postMessage,
  providersQuery,
  renameSession,
  answerQuery,
  attachAnswer,
  postRootMessage,
  sessionTreeQuery,
  sessionsQuery,
  stopMessage,
  switchLeaf,
  undoCommit,
  type ChatMessage,
  type SessionTree,
} from '../api';
import { readAnswer } from '../lib/answer-stream';
import { useAnswerStore, type LiveAnswer, type ToolCard } from '../lib/answer-store';
import { Markdown } from './Markdown';
import { BranchMap } from './BranchMap';
import { MergeDialog } from './MergeDialog';
import { ContextDialog, PromptPreviewDialog, PromptTemplatesDialog } from './PromptViews';
import { SessionsDialog } from './SessionsDialog';
import '../sessions.css';

type ChatDialog = 'map' | 'preview' | 'templates' | 'sessions' | null;

/**
 * What another feature adds to the chat, composed by the app: a bar under the session's, content
 * after the conversation, and a prompt route that may take a prompt instead of the plain chat
 * (true: taken).
 */
export interface ChatExtension {
  bar?: ReactNode;
  after?: ReactNode;
  /** `after` has something to show: the conversation's empty-state text steps aside. */
  afterShown?: boolean;
  placeholder?: string;
  route?: (sessionId: string, content: string) => Promise<boolean>;
}

/**
 * The chat on the right of the workspace: the session, its active path, each answer with its tool
 * cards and commit, and the composer. `sessionId` is the workspace's (restored with it).
 */
export function ChatPanel({
  projectId,
  sessionId,
  onSessionChange,
  initialPrompt = null,
  onInitialPromptSent,
  extension,
}: {
  projectId: string;
  sessionId: string | null;
  onSessionChange: (id: string | null) => void;
  /** A prompt to send once, in a new session (a project created from a description). */
  initialPrompt?: string | null;
  onInitialPromptSent?: () => void;
  extension?: ChatExtension;
}) {
  const client = useQueryClient();
  const sessions = useQuery(sessionsQuery(projectId));
  const tree = useQuery({ ...sessionTreeQuery(projectId, sessionId ?? ''), enabled: !!sessionId });
  const streaming = useAnswerStore((s) => s.streaming);
  // Starts at the user's own default (Settings → Models); '' is the server's default.
  const [model, setModel] = useState<string>(() => usePreferences.getState().defaultModel);
  const [error, setError] = useState<unknown>(null);
  // A prompt the server refused because it would start a branch over uncommitted edits: kept so it can be resent with commitFirst.
  const [refused, setRefused] = useState<{ content: string; parentId: string | null } | null>(null);
  const abort = useRef<AbortController | null>(null);
  const [draft, setDraft] = useState('');
  const [dialog, setDialog] = useState<ChatDialog>(null);
  // A merge into this session: a leaf of its own tree (from the branch map) or another session (from the session list).
  const [merging, setMerging] = useState<{ fromLeafId?: string; fromSessionId?: string; label: string } | null>(null);

  useEffect(() => {
    if (sessions.data && sessionId && !sessions.data.some((s) => s.id === sessionId)) onSessionChange(sessions.data[0]?.id ?? null);
    if (sessions.data && !sessionId && sessions.data[0]) onSessionChange(sessions.data[0].id);
  }, [sessions.data, sessionId, onSessionChange]);

  const refreshProject = () => client.invalidateQueries({ queryKey: ['project', projectId] });

  // A project created from a description: its description is the first prompt of a new session.
  const sentInitial = useRef(false);
  useEffect(() => {
    if (!initialPrompt || sentInitial.current || !sessions.isSuccess) return;
    sentInitial.current = true;
    onInitialPromptSent?.();
    void (async () => {
      const created = await createSession(projectId).catch((caught: unknown) => {
        setError(caught);
        return null;
      });
      if (!created) return;
      onSessionChange(created.id);
      await client.invalidateQueries({ queryKey: ['project', projectId, 'sessions'] });
      await send(initialPrompt, null, undefined, false, false, created.id);
    })();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [initialPrompt, sessions.isSuccess]);

  /** Reads an answer's stream into the store, with its progress and outcome in the notification centre. */
  async function follow(response: Response, id: string, signal: AbortSignal) {
    const notice = useNotices.getState().push({ kind: 'progress', title: 'Answer streaming', detail: null, code: null });
    const messageId = await readAnswer(response, id, signal);
    const finished = messageId ? useAnswerStore.getState().answers[messageId] : undefined;
    if (finished?.error) {
      useNotices.getState().update(notice, { kind: 'error', title: 'The answer failed', detail: finished.error.detail, code: finished.error.code });
    } else {
      useNotices.getState().update(notice, { kind: 'success', title: finished?.commit ? `Answer committed ${finished.commit.commit.slice(0, 7)}` : 'Answer finished' });
    }
    notifyWhenHidden('Wright', 'The answer is ready.');
  }

  // After a reload an answer may still be streaming on the server: reattach to it (the stream
  // replays from its first event, so the text and tool cards come back whole).
  const streamingId = tree.data?.messages.find((m) => m.status === 'streaming' && m.role === 'assistant')?.id;
  useEffect(() => {
    if (!sessionId || !streamingId || useAnswerStore.getState().streaming) return;
    const controller = new AbortController();
    abort.current = controller;
    void (async () => {
      try {
        await follow(await attachAnswer(sessionId, streamingId, controller.signal), sessionId, controller.signal);
      } catch (caught) {
        if (!(caught instanceof DOMException && caught.name === 'AbortError')) setError(caught);
      } finally {
        if (abort.current === controller) abort.current = null;
        void refreshProject();
      }
    })();
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sessionId, streamingId]);

  /** Switches the session (and the workspace's files) to a message: its newest leaf; uncommitted edits ask first. */
  async function switchTo(messageId: string) {
    const current = tree.data;
    if (!current) return;
    setError(null);
    const leaf = deepestLeaf(current, messageId);
    try {
      await switchLeaf(current.session.id, leaf);
    } catch (caught) {
      if (isApiError(caught, 'uncommitted_changes') && confirm(`${caught.detail}\n\nCommit your edits first and switch?`)) {
        await switchLeaf(current.session.id, leaf, true).catch(setError);
      } else if (!isApiError(caught, 'uncommitted_changes')) {
        setError(caught);
      }
    }
    await client.invalidateQueries({ queryKey: ['project', projectId] });
  }

  // Alt+[ and Alt+]: the previous and next version of the deepest prompt on the path that has several.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey || (e.code !== 'BracketLeft' && e.code !== 'BracketRight')) return;
      const current = tree.data;
      if (!current) return;
      const byId = new Map(current.messages.map((m) => [m.id, m]));
      const branching = [...current.activePath].reverse().map((id) => byId.get(id)).find((m) => m && m.siblingIds.length > 1);
      if (!branching) return;
      e.preventDefault();
      const target = branching.siblingIds[branching.siblingIndex + (e.code === 'BracketLeft' ? -1 : 1)];
      if (target) void switchTo(target);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  async function send(content: string, parentId: string | null, retryOf?: string, commitFirst = false, asRoot = false, inSession?: string) {
    setError(null);
    setRefused(null);
    let id = inSession ?? sessionId;
    try {
      if (!id) {
        const created = await createSession(projectId);
        id = created.id;
        onSessionChange(id);
        await client.invalidateQueries({ queryKey: ['project', projectId, 'sessions'] });
      }
      if (!retryOf && extension?.route && (await extension.route(id, content))) return;
      abort.current = new AbortController();
      const response = retryOf
        ? await regenerate(id, retryOf, model || null, abort.current.signal)
        : asRoot
          ? await postRootMessage(id, content, model || null, abort.current.signal)
          : await postMessage(id, content, parentId, model || null, abort.current.signal, commitFirst);
      void client.invalidateQueries({ queryKey: ['project', projectId, 'session', id] });
      await follow(response, id, abort.current.signal);
    } catch (caught) {
      if (!retryOf && isApiError(caught, 'uncommitted_changes')) {
        setRefused({ content, parentId });
        setError(caught);
      } else if (!(caught instanceof DOMException && caught.name === 'AbortError')) {
        setError(caught);
        notifyError('The prompt could not be sent', caught);
      }
    } finally {
      abort.current = null;
      void refreshProject();
    }
  }

  const stop = async () => {
    if (streaming?.messageId && sessionId) await stopMessage(sessionId, streaming.messageId).catch(() => undefined);
  };

  return (
    <section className="chat-panel" aria-label="Chat">
      <SessionBar projectId={projectId} sessionId={sessionId} onSessionChange={onSessionChange} tree={tree.data} onDialog={setDialog} />
      {extension?.bar}
      <ErrorText error={sessions.error ?? tree.error} />
      <Conversation
        projectId={projectId}
        tree={tree.data}
        onEdit={(content, parentId) => void send(content, parentId, undefined, false, parentId === null)}
        onSwitch={(id) => void switchTo(id)}
        onCommitAndRetry={async (promptId) => {
          try {
            await commitEdits(projectId);
            await send('', null, promptId);
          } catch (caught) {
            setError(caught);
          }
        }}
        after={extension?.after}
        afterShown={extension?.afterShown ?? false}
      />
      <ErrorText error={error} />
      {refused && (
        <div className="chat-refused" role="group" aria-label="Uncommitted edits">
          <button className="primary" onClick={() => void send(refused.content, refused.parentId, undefined, true)}>
            Commit my edits and retry
          </button>
          <button onClick={() => { setRefused(null); setError(null); }}>Cancel</button>
        </div>
      )}
      <Composer
        text={draft}
        onText={setDraft}
        busy={!!streaming}
        model={model}
        onModel={setModel}
        onSend={(text) => {
          const path = tree.data?.activePath ?? [];
          void send(text, path[path.length - 1] ?? null);
        }}
        onStop={() => void stop()}
        totals={tree.data?.totals}
        placeholder={extension?.placeholder}
      />
      {dialog === 'map' && tree.data && (
        <BranchMap
          projectId={projectId}
          tree={tree.data}
          onSwitch={(id) => void switchTo(id)}
          onMerge={streaming ? undefined : (leafId, name) => setMerging({ fromLeafId: leafId, label: `the branch “${name.length > 48 ? `${name.slice(0, 48)}…` : name}”` })}
          onClose={() => setDialog(null)}
        />
      )}
      {merging && sessionId && (
        <MergeDialog
          projectId={projectId}
          sessionId={sessionId}
          source={{ fromLeafId: merging.fromLeafId, fromSessionId: merging.fromSessionId }}
          label={merging.label}
          onMerged={() => {
            setMerging(null);
            setDialog(null);
          }}
          onClose={() => setMerging(null)}
        />
      )}
      {dialog === 'preview' && sessionId && (
        <PromptPreviewDialog sessionId={sessionId} draft={draft.trim()} parentId={tree.data?.activePath[tree.data.activePath.length - 1] ?? null} model={model || null} onClose={() => setDialog(null)} />
      )}
      {dialog === 'templates' && <PromptTemplatesDialog projectId={projectId} sessionId={sessionId} onClose={() => setDialog(null)} />}
      {dialog === 'sessions' && (
        <SessionsDialog
          projectId={projectId}
          sessionId={sessionId}
          currentLeafId={tree.data?.currentLeafId ?? null}
          onOpen={onSessionChange}
          onMerge={streaming ? undefined : (from) => setMerging({ fromSessionId: from.id, label: `session “${from.title || 'Untitled session'}”` })}
          onClose={() => setDialog(null)}
        />
      )}
    </section>
  );
}

function SessionBar({
  projectId,
  sessionId,
  onSessionChange,
  tree,
  onDialog,
}: {
  projectId: string;
  sessionId: string | null;
  onSessionChange: (id: string | null) => void;
  tree: SessionTree | undefined;
  onDialog: (dialog: ChatDialog) => void;
}) {
  const client = useQueryClient();
  const sessions = useQuery(sessionsQuery(projectId));
  const [renaming, setRenaming] = useState<string | null>(null);
  const invalidate = () => client.invalidateQueries({ queryKey: ['project', projectId, 'sessions'] });
  const create = useMutation({
    mutationFn: () => createSession(projectId),
    onSuccess: (s) => {
      onSessionChange(s.id);
      void invalidate();
    },
  });
  const rename = useMutation({ mutationFn: (title: string) => renameSession(sessionId!, title), onSettled: () => invalidate() });
  const remove = useMutation({
    mutationFn: () => deleteSession(sessionId!),
    onSuccess: () => {
      onSessionChange(null);
      void invalidate();
    },
  });
  return (
    <div className="session-bar" role="toolbar" aria-label="Session">
      {renaming !== null ? (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            rename.mutate(renaming);
            setRenaming(null);
          }}
        >
          <input autoFocus aria-label="Session title" value={renaming} onChange={(e) => setRenaming(e.target.value)} />
          <button className="icon" type="submit" aria-label="Save title">
            <Check size={14} />
          </button>
          <button className="icon" type="button" aria-label="Cancel rename" onClick={() => setRenaming(null)}>
            <X size={14} />
          </button>
        </form>
      ) : (
        <select aria-label="Session" value={sessionId ?? ''} onChange={(e) => onSessionChange(e.target.value || null)}>
          {!sessionId && <option value="">New session</option>}
          {(sessions.data ?? []).map((s) => (
            <option key={s.id} value={s.id}>
              {s.title || 'Untitled session'}
            </option>
          ))}
        </select>
      )}
      <button className="icon" aria-label="New session" title="New session" onClick={() => create.mutate()}>
        <Plus size={15} />
      </button>
      <button className="icon" aria-label="Rename session" title="Rename" disabled={!sessionId} onClick={() => setRenaming(tree?.session.title ?? '')}>
        <Pencil size={13} />
      </button>
      <button
        className="icon"
        aria-label="Delete session"
        title="Delete session"
        disabled={!sessionId}
        onClick={() => confirm('Delete this session and its messages? Commits stay in git.') && remove.mutate()}
      >
        <Trash2 size={13} />
      </button>
      <button className="icon" aria-label="All sessions" title="All sessions: search, archive, fork, export, import" onClick={() => onDialog('sessions')}>
        <List size={14} />
      </button>
      <button className="icon" aria-label="Branch map" title="Branch map" disabled={!tree || tree.messages.length === 0} onClick={() => onDialog('map')}>
        <Network size={14} />
      </button>
      <button className="icon" aria-label="What will be sent" title="What will be sent (prompt preview)" disabled={!sessionId} onClick={() => onDialog('preview')}>
        <Eye size={14} />
      </button>
      <button className="icon" aria-label="Prompt templates" title="Prompt templates" onClick={() => onDialog('templates')}>
        <FileText size={14} />
      </button>
    </div>
  );
}

function Conversation({
  projectId,
  tree,
  onEdit,
  onSwitch,
  onCommitAndRetry,
  after,
  afterShown,
}: {
  projectId: string;
  tree: SessionTree | undefined;
  onEdit: (content: string, parentId: string | null) => void;
  onSwitch: (messageId: string) => void;
  onCommitAndRetry: (promptId: string) => void;
  after?: ReactNode;
  afterShown?: boolean;
}) {
  const answers = useAnswerStore((s) => s.answers);
  const streaming = useAnswerStore((s) => s.streaming);
  const log = useRef<HTMLDivElement>(null);
  /** The user is at the bottom of the log: new text keeps it there; scrolled up, it stays put. */
  const pinned = useRef(true);
  const byId = useMemo(() => new Map((tree?.messages ?? []).map((m) => [m.id, m])), [tree]);
  const path = (tree?.activePath ?? []).map((id) => byId.get(id)).filter((m): m is ChatMessage => !!m);
  const live = streaming?.messageId ? answers[streaming.messageId] : undefined;
  const liveText = live?.text;

  useEffect(() => {
    // Scrolled with the next frame's layout rather than forcing one now (scrollIntoView laid out
    // the whole page on every streamed update: the longest task of a 2,000-chunk answer).
    const element = log.current;
    if (!element || !pinned.current) return;
    const frame = requestAnimationFrame(() => (element.scrollTop = element.scrollHeight));
    return () => cancelAnimationFrame(frame);
  }, [path.length, liveText]);

  if (!tree) return <div className="messages empty-state">Ask for a change: the model edits the files and every change lands as one commit.</div>;
  const showLive = live && !path.some((m) => m.id === live.messageId);
  return (
    <div
      className="messages"
      role="log"
      aria-label="Messages"
      aria-live="polite"
      ref={log}
      onScroll={(e) => {
        const el = e.currentTarget;
        pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
      }}
    >
      {path.length === 0 && !showLive && !afterShown && <p className="empty-state">Ask for a change: the model edits the files and every change lands as one commit.</p>}
      {path.map((message) =>
        message.role === 'user' ? (
          <UserMessage key={message.id} message={message} sessionId={tree.session.id} onEdit={onEdit} onSwitch={onSwitch} />
        ) : (
          <AssistantMessage
            key={message.id}
            projectId={projectId}
            sessionId={tree.session.id}
            message={message}
            live={answers[message.id]}
            streaming={streaming?.messageId === message.id}
            onCommitAndRetry={onCommitAndRetry}
          />
        ),
      )}
      {showLive && live && <AssistantMessage projectId={projectId} sessionId={tree.session.id} message={null} live={live} streaming />}
      {after}
    </div>
  );
}

function deepestLeaf(tree: SessionTree, id: string): string {
  const byId = new Map(tree.messages.map((m) => [m.id, m]));
  let current = byId.get(id);
  while (current && current.childIds.length > 0) current = byId.get(current.childIds[current.childIds.length - 1]!);
  return current?.id ?? id;
}

function UserMessage({ message, sessionId, onEdit, onSwitch }: { message: ChatMessage; sessionId: string; onEdit: (content: string, parentId: string | null) => void; onSwitch: (id: string) => void }) {
  const [editing, setEditing] = useState<string | null>(null);
  const [showContext, setShowContext] = useState(false);
  const count = message.siblingIds.length;
  const index = message.siblingIndex;

  function go(to: number) {
    const target = message.siblingIds[to];
    if (target) onSwitch(target);
  }

  return (
    <article className="message user" aria-label="Your prompt">
      {editing !== null ? (
        <form
          className="edit-prompt"
          onSubmit={(e) => {
            e.preventDefault();
            onEdit(editing, message.parentId);
            setEditing(null);
          }}
        >
          <textarea aria-label="Edit prompt" value={editing} onChange={(e) => setEditing(e.target.value)} autoFocus rows={3} />
          <div className="dialog-buttons">
            <button type="button" onClick={() => setEditing(null)}>
              Cancel
            </button>
            <button type="submit" className="primary">
              Send as new version
            </button>
          </div>
        </form>
      ) : (
        <div className="message-text">{message.content}</div>
      )}
      <div className="message-tools">
        {count > 1 && (
          <nav className="sibling-nav" aria-label="Prompt versions">
            <button className="icon" aria-label="Previous version" disabled={index === 0} onClick={() => go(index - 1)}>
              <ChevronLeft size={13} />
            </button>
            <span aria-label="Version">
              {index + 1}/{count}
            </span>
            <button className="icon" aria-label="Next version" disabled={index === count - 1} onClick={() => go(index + 1)}>
              <ChevronRight size={13} />
            </button>
          </nav>
        )}
        {/* An edited version goes under the prompt's parent; the first prompt's goes to the root (asRoot). */}
        {editing === null && (
          <button className="icon" aria-label="Edit prompt" title="Edit and send as a new version" onClick={() => setEditing(message.content)}>
            <Pencil size={12} />
          </button>
        )}
        <button className="icon" aria-label="What was sent" title="What was sent with this prompt (its Context)" onClick={() => setShowContext(true)}>
          <Info size={12} />
        </button>
      </div>
      {showContext && <ContextDialog sessionId={sessionId} promptId={message.id} onClose={() => setShowContext(false)} />}
    </article>
  );
}

function AssistantMessage({
  projectId,
  sessionId,
  message,
  live,
  streaming,
  onCommitAndRetry,
}: {
  projectId: string;
  sessionId: string;
  message: ChatMessage | null;
  live: LiveAnswer | undefined;
  streaming: boolean;
  onCommitAndRetry?: (promptId: string) => void;
}) {
  const text = streaming || !message ? (live?.text ?? '') : message.content;
  const tools: ToolCard[] = live?.tools.length ? live.tools : (message?.toolCalls ?? []).map((c) => ({ ...c, result: null, output: '' }));
  const error = live?.error ?? (message?.errorCode ? { code: message.errorCode, detail: message.errorDetail } : null);
  return (
    <article className="message assistant" aria-label="Answer" aria-busy={streaming}>
      {text ? <Markdown text={text} /> : streaming ? <span className="typing" aria-label="Thinking">…</span> : null}
      {tools.map((tool) => (
        <ToolCallCard key={tool.id} tool={tool} />
      ))}
      {live?.approvals.map((approval) => (
        <div key={approval.approvalId} className="approval" role="group" aria-label="Command approval">
          <code>{approval.command}</code>
          {approval.decided === null ? (
            <>
              <button className="primary" onClick={() => void decideApproval(sessionId, approval.approvalId, true)}>
                Run it
              </button>
              <button onClick={() => void decideApproval(sessionId, approval.approvalId, false)}>Deny</button>
            </>
          ) : (
            <span className="hint">{approval.decided ? 'approved' : 'denied'}</span>
          )}
        </div>
      ))}
      {live?.failure && (
        <p className="form-error" role="alert">
          Changes not applied: {live.failure}
        </p>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error.detail ?? 'The answer failed'} {error.code && <span className="error-code">({error.code})</span>}
        </p>
      )}
      {error?.code === 'uncommitted_changes' && message?.parentId && onCommitAndRetry && (
        <div className="dialog-buttons left">
          <button className="primary" onClick={() => onCommitAndRetry(message.parentId!)}>
            Commit my edits and retry
          </button>
        </div>
      )}
      {message && !streaming && <CommitChip projectId={projectId} sessionId={sessionId} messageId={message.id} live={live} />}
      {streaming && live?.commit && <CommitChip projectId={projectId} sessionId={sessionId} messageId={live.messageId} live={live} />}
      {live?.usage && (
        <div className="usage" aria-label="Usage">
          {formatTokens(live.usage.inputTokens)} in · {formatTokens(live.usage.outputTokens)} out · ${live.usage.cost.toFixed(4)} · {live.usage.model}
        </div>
      )}
    </article>
  );
}

function CommitChip({ projectId, sessionId, messageId, live }: { projectId: string; sessionId: string; messageId: string; live: LiveAnswer | undefined }) {
  const client = useQueryClient();
  const apply = useAnswerStore((s) => s.apply);
  const answer = useQuery({ ...answerQuery(projectId, sessionId, messageId), enabled: !live?.commit });
  const commit = live?.commit?.commit ?? answer.data?.commits?.[answer.data.commits.length - 1];
  const undo = useMutation({
    mutationFn: () => undoCommit(projectId, commit!),
    onSuccess: () => apply(messageId, () => ({ undone: true })),
    onSettled: () => client.invalidateQueries({ queryKey: ['project', projectId] }),
  });
  if (!commit) return null;
  const files = live?.commit?.files ?? [];
  return (
    <div className="commit-chip" role="group" aria-label={`Commit ${commit.slice(0, 7)}`}>
      <span className={live?.undone ? 'undone' : 'committed'}>
        {live?.undone ? 'undone' : '✓'} commit {commit.slice(0, 7)}
      </span>
      {files.length > 0 && <span className="hint">{files.length} file(s)</span>}
      {!live?.undone && (
        <button onClick={() => undo.mutate()} disabled={undo.isPending}>
          <Undo2 size={12} /> Undo
        </button>
      )}
      <ErrorText error={undo.error} />
    </div>
  );
}

/** One tool call: its name and target, its diff when it edited a file, its result. */
export function ToolCallCard({ tool }: { tool: ToolCard }) {
  const args = parseArgs(tool.arguments);
  const target = typeof args.path === 'string' ? args.path : typeof args.command === 'string' ? args.command : '';
  const diff = typeof tool.result?.output === 'string' && /^(---|\+\+\+|@@)/m.test(tool.result.output) ? tool.result.output : diffFromArguments(tool.name, args);
  const [open, setOpen] = useState(false);
  return (
    <div className="tool-card" role="group" aria-label={`Tool ${tool.name}`}>
      <button className="tool-head" aria-expanded={open} onClick={() => setOpen(!open)}>
        <Wrench size={12} aria-hidden />
        <span className="tool-name">{tool.name}</span>
        <span className="tool-target">{target}</span>
        <span className={tool.result ? (tool.result.ok ? 'tool-ok' : 'tool-failed') : 'tool-running'}>{tool.result ? (tool.result.ok ? 'done' : (tool.result.code ?? 'failed')) : '…'}</span>
      </button>
      {diff && <PatchView patch={diff} label={`Diff of ${target}`} />}
      {open && !diff && (
        <pre className="tool-output">{tool.output || tool.result?.output || tool.arguments}</pre>
      )}
    </div>
  );
}

/** The change a file tool asked for, as diff lines: removed text, then added text. */
export function diffFromArguments(name: string, args: Record<string, unknown>): string | null {
  const lines = (text: unknown, sign: string) => (typeof text === 'string' && text !== '' ? text.replace(/\n$/, '').split('\n').map((l) => sign + l) : []);
  if (name === 'write_file') return lines(args.content, '+').join('\n') || null;
  if (name === 'edit_file') return [...lines(args.old_text, '-'), ...lines(args.new_text, '+')].join('\n') || null;
  return null;
}

function parseArgs(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function formatTokens(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);
}

function Composer({
  text,
  onText,
  busy,
  model,
  onModel,
  onSend,
  onStop,
  totals,
  placeholder,
}: {
  text: string;
  onText: (text: string) => void;
  busy: boolean;
  model: string;
  onModel: (m: string) => void;
  onSend: (text: string) => void;
  onStop: () => void;
  totals: SessionTree['totals'] | undefined;
  placeholder?: string;
}) {
  const setText = onText;
  const providers = useQuery(providersQuery);
  const usable = (providers.data ?? []).filter((p) => p.hasKey || p.source !== 'default').map((p) => p.name);
  const models = useQuery({ ...modelsQuery(usable), enabled: usable.length > 0 });
  const submit = () => {
    if (!text.trim() || busy) return;
    onSend(text.trim());
    setText('');
  };
  return (
    <div className="composer">
      {providers.isSuccess && usable.length === 0 && (
        <p className="hint" role="note">
          No provider yet — add an API key in <a href="/settings">Settings</a>.
        </p>
      )}
      <textarea
        aria-label="Prompt"
        placeholder={placeholder ?? 'Ask for a change… (Ctrl+Enter to send)'}
        value={text}
        rows={3}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            submit();
          } else if (e.key === 'Escape' && busy) onStop();
        }}
      />
      <div className="composer-bar">
        <select aria-label="Model" value={model} onChange={(e) => onModel(e.target.value)}>
          <option value="">Default model</option>
          {(models.data ?? []).map((m) => (
            <option key={m.name} value={m.name}>
              {m.name}
            </option>
          ))}
        </select>
        {totals && (
          <span className="hint totals" aria-label="Session totals">
            {formatTokens(totals.tokenUsage.total.inputTokens)} in · {formatTokens(totals.tokenUsage.total.outputTokens)} out · ${totals.costs.totalCost.toFixed(2)}
          </span>
        )}
        <span className="spacer" />
        {busy ? (
          <button className="danger" onClick={onStop} aria-label="Stop">
            <CircleStop size={14} /> Stop
          </button>
        ) : (
          <button className="primary" onClick={submit} aria-label="Send" disabled={!text.trim()}>
            <SendHorizontal size={14} /> Send
          </button>
        )}
      </div>
    </div>
  );
}
