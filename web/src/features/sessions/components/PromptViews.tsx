import { useEffect, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Dialog, ErrorText } from '@/components/Dialog';
import { PatchView } from '@/components/PatchView';
import { contextQuery, promptDiffQuery, promptPreviewQuery, promptVersionsQuery, savePromptTemplate, type ContextView, type PromptScope } from '../api';

const tokens = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n));

/** "What will be sent": the system prompt, the messages, the tools and the Context of the next prompt, without calling the model. */
export function PromptPreviewDialog({ sessionId, draft, parentId, model, onClose }: { sessionId: string; draft: string; parentId: string | null; model: string | null; onClose: () => void }) {
  const preview = useQuery(promptPreviewQuery(sessionId, draft, parentId, model));
  return (
    <Dialog title="What will be sent" onClose={onClose} wide>
      {preview.isPending && <p className="hint">Preparing the request…</p>}
      <ErrorText error={preview.error} />
      {preview.data && (
        <div className="prompt-view">
          <p className="prompt-summary" aria-label="Request summary">
            {preview.data.model} · about {tokens(preview.data.estimatedTokens)} tokens · Context {tokens(preview.data.context.tokenCount)} of {tokens(preview.data.context.budgetTokens)}
            {!draft && <span className="hint"> (with a placeholder for the prompt you have not written yet)</span>}
          </p>
          <details open>
            <summary>System prompt</summary>
            <pre className="prompt-text" aria-label="System prompt">{preview.data.system}</pre>
          </details>
          <details>
            <summary>Messages ({preview.data.messages.length})</summary>
            {preview.data.messages.map((m, i) => (
              <div key={i} className="prompt-message">
                <span className="prompt-role">{m.role}</span>
                <pre className="prompt-text">{m.content}</pre>
              </div>
            ))}
          </details>
          <details>
            <summary>Tools ({preview.data.tools.length})</summary>
            <ul className="plain-list">
              {preview.data.tools.map((t) => (
                <li key={t.name}>
                  <code>{t.name}</code> <span className="hint">{t.description}</span>
                </li>
              ))}
            </ul>
          </details>
          <ContextSummary context={preview.data.context} />
        </div>
      )}
      <div className="dialog-buttons">
        <button onClick={onClose}>Close</button>
      </div>
    </Dialog>
  );
}

/** "What was sent": the stored Context of one prompt (its sources and the files with their hashes). */
export function ContextDialog({ sessionId, promptId, onClose }: { sessionId: string; promptId: string; onClose: () => void }) {
  const context = useQuery(contextQuery(sessionId, promptId));
  return (
    <Dialog title="What was sent" onClose={onClose} wide>
      {context.isPending && <p className="hint">Loading…</p>}
      <ErrorText error={context.error} />
      {context.data && (
        <div className="prompt-view">
          <p className="prompt-summary">
            Turn {context.data.turn} · {tokens(context.data.tokenCount)} of {tokens(context.data.budgetTokens)} tokens · at {context.data.head?.slice(0, 7) ?? 'no commit'}
          </p>
          <ContextSummary context={context.data} />
        </div>
      )}
      <div className="dialog-buttons">
        <button onClick={onClose}>Close</button>
      </div>
    </Dialog>
  );
}

function ContextSummary({ context }: { context: ContextView }) {
  return (
    <>
      <details open>
        <summary>Sources ({context.sources.length})</summary>
        <table className="plain-table" aria-label="Context sources">
          <thead>
            <tr>
              <th>Source</th>
              <th>Kind</th>
              <th>Tokens</th>
            </tr>
          </thead>
          <tbody>
            {context.sources.map((s, i) => (
              <tr key={i}>
                <td>
                  {s.title}
                  {s.truncated && <span className="hint"> (cut)</span>}
                </td>
                <td>{s.kind}</td>
                <td>{tokens(s.tokens)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      <details open={context.filesSent.length <= 12}>
        <summary>Files sent ({context.filesSent.length})</summary>
        <ul className="plain-list" aria-label="Files sent">
          {context.filesSent.map((f) => (
            <li key={f.path}>
              <code>{f.path}</code> <span className="hint mono">{f.hash.slice(0, 12)}</span> {!f.whole && <span className="hint">(excerpt)</span>}
            </li>
          ))}
        </ul>
      </details>
      {context.excluded.length > 0 && (
        <details>
          <summary>Left out ({context.excluded.length})</summary>
          <ul className="plain-list">
            {context.excluded.map((f) => (
              <li key={f.path}>
                <code>{f.path}</code> <span className="hint">{f.reason}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </>
  );
}

const scopeNames = { user: 'Mine (every project)', project: 'This project', session: 'This session' } as const;

/** Editors for the user, project and session prompt templates; every save is a version, any two versions can be compared. */
export function PromptTemplatesDialog({ projectId, sessionId, onClose }: { projectId: string; sessionId: string | null; onClose: () => void }) {
  const [kind, setKind] = useState<PromptScope['kind']>(sessionId ? 'session' : 'project');
  const scope: PromptScope = kind === 'user' ? { kind } : kind === 'project' ? { kind, projectId } : { kind: 'session', sessionId: sessionId ?? '' };
  return (
    <Dialog title="Prompt templates" onClose={onClose} wide>
      <div role="tablist" aria-label="Template" className="segmented">
        {(['user', 'project', 'session'] as const).map((k) => (
          <button key={k} role="tab" aria-selected={kind === k} disabled={k === 'session' && !sessionId} onClick={() => setKind(k)}>
            {scopeNames[k]}
          </button>
        ))}
      </div>
      <TemplateEditor key={kind} scope={scope} />
      <div className="dialog-buttons">
        <button onClick={onClose}>Close</button>
      </div>
    </Dialog>
  );
}

function TemplateEditor({ scope }: { scope: PromptScope }) {
  const client = useQueryClient();
  const versions = useQuery(promptVersionsQuery(scope));
  const list = versions.data?.versions ?? [];
  const latest = list[list.length - 1];
  const [text, setText] = useState<string | null>(null);
  const [compare, setCompare] = useState<{ from: number; to: number } | null>(null);
  useEffect(() => setText(null), [latest?.version]);
  const save = useMutation({
    mutationFn: (content: string) => savePromptTemplate(scope, content),
    onSuccess: () => void client.invalidateQueries({ queryKey: promptVersionsQuery(scope).queryKey }),
  });
  const value = text ?? latest?.content ?? '';
  return (
    <div className="template-editor">
      <p className="hint">Handlebars; it is added to the system prompt. The session's template wins over the project's, which wins over yours.</p>
      <textarea aria-label="Template text" className="template-text" rows={12} value={value} onChange={(e) => setText(e.target.value)} spellCheck={false} />
      <div className="dialog-buttons left">
        <button className="primary" disabled={text === null || text === (latest?.content ?? '') || save.isPending} onClick={() => save.mutate(value)}>
          Save as version {(latest?.version ?? 0) + 1}
        </button>
        {text !== null && <button onClick={() => setText(null)}>Discard changes</button>}
      </div>
      <ErrorText error={versions.error ?? save.error} />
      {list.length > 0 && (
        <table className="plain-table" aria-label="Versions">
          <thead>
            <tr>
              <th>Version</th>
              <th>Saved</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {[...list].reverse().map((v) => (
              <tr key={v.version}>
                <td>
                  v{v.version}
                  {v === latest && <span className="hint"> (in use)</span>}
                </td>
                <td>{new Date(v.createdAt).toLocaleString()}</td>
                <td className="row-actions">
                  {v.version > 1 && (
                    <button aria-label={`Compare version ${v.version} with version ${v.version - 1}`} onClick={() => setCompare({ from: v.version - 1, to: v.version })}>
                      Diff
                    </button>
                  )}
                  {v !== latest && (
                    <button aria-label={`Restore version ${v.version}`} onClick={() => setText(v.content)}>
                      Restore
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {compare && <TemplateDiff scope={scope} from={compare.from} to={compare.to} />}
    </div>
  );
}

function TemplateDiff({ scope, from, to }: { scope: PromptScope; from: number; to: number }) {
  const diff = useQuery(promptDiffQuery(scope, from, to));
  return (
    <div className="template-diff">
      <p className="hint">
        v{from} → v{to}
      </p>
      <ErrorText error={diff.error} />
      {diff.data && (diff.data.diff ? <PatchView patch={diff.data.diff} label={`Diff of version ${from} and ${to}`} /> : <p className="hint">No difference.</p>)}
    </div>
  );
}
