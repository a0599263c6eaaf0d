import { useEffect, useRef, useState } from 'react';
import type * as MonacoApi from 'monaco-editor';
import { ErrorText } from '@/components/Dialog';
import { loadMonaco, monacoTheme } from '@/lib/monaco';
import { acceptTheirs, getBase, resolveConflict } from '../lib/documents';
import { mergeFile } from '../api';
import type { Conflict } from '../lib/editor-store';
import { useEditorStore } from '../lib/editor-store';

/**
 * A save met a newer version on disk: Monaco's diff of theirs (left, the disk) against mine
 * (right), and three ways out. The server's three-way merge is shown for review, editable, before
 * anything is written.
 */
export function ConflictView({ projectId, path, conflict, theme }: { projectId: string; path: string; conflict: Conflict; theme: 'dark' | 'light' }) {
  const host = useRef<HTMLDivElement>(null);
  const diffRef = useRef<MonacoApi.editor.IStandaloneDiffEditor | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const patch = useEditorStore((s) => s.patch);
  const right = conflict.merged ? conflict.merged.content : conflict.mine;

  useEffect(() => {
    let disposed = false;
    const models: MonacoApi.editor.ITextModel[] = [];
    void loadMonaco().then((monaco) => {
      if (disposed || !host.current) return;
      const language = monaco.editor.getModel(monaco.Uri.from({ scheme: 'file', path: `/${projectId}/${path}` }))?.getLanguageId();
      const original = monaco.editor.createModel(conflict.theirs, language);
      const modified = monaco.editor.createModel(right, language);
      models.push(original, modified);
      const diff = monaco.editor.createDiffEditor(host.current, {
        theme: monacoTheme(theme),
        automaticLayout: true,
        renderSideBySide: true,
        originalEditable: false,
        fontSize: 13,
      });
      diff.setModel({ original, modified });
      diffRef.current = diff;
    });
    return () => {
      disposed = true;
      diffRef.current?.dispose();
      diffRef.current = null;
      models.forEach((m) => m.dispose());
    };
  }, [projectId, path, conflict.theirs, right, theme]);

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const current = () => diffRef.current?.getModifiedEditor().getValue() ?? right;

  return (
    <section className="conflict-view" role="region" aria-label={`Conflict in ${path}`}>
      <div className="conflict-bar" role="toolbar" aria-label="Resolve conflict">
        <span className="conflict-title">
          {conflict.merged
            ? conflict.merged.conflicts > 0
              ? `Merged with ${conflict.merged.conflicts} conflict(s): edit the right side, then save`
              : 'Merged cleanly: review, then save'
            : `${path} changed on disk since you opened it. Left: on disk · Right: yours`}
        </span>
        <button disabled={busy} onClick={() => run(() => resolveConflict(path, current(), conflict.theirsEtag))}>
          {conflict.merged ? 'Save merged' : 'Keep mine'}
        </button>
        <button disabled={busy} onClick={() => run(async () => acceptTheirs(path, conflict.theirs, conflict.theirsEtag))}>
          Keep theirs
        </button>
        {!conflict.merged && (
          <button
            className="primary"
            disabled={busy}
            onClick={() =>
              run(async () => {
                const merged = await mergeFile(projectId, path, getBase(path) ?? '', current());
                patch(path, { conflict: { ...conflict, theirsEtag: merged.etag, merged } });
              })
            }
          >
            Merge
          </button>
        )}
        <ErrorText error={error} />
      </div>
      <div className="diff-host" ref={host} />
    </section>
  );
}
