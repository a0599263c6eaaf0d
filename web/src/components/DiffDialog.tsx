import { useEffect, useRef } from 'react';
import type * as MonacoApi from 'monaco-editor';
import { loadMonaco } from '@/lib/monaco';
import { Dialog } from './Dialog';

/** Monaco's diff editor in a dialog: two texts side by side, the language from the file name. */
export function DiffDialog({ title, path, original, modified, onClose }: { title: string; path: string; original: string; modified: string; onClose: () => void }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let diff: MonacoApi.editor.IStandaloneDiffEditor | null = null;
    const models: MonacoApi.editor.ITextModel[] = [];
    let disposed = false;
    void loadMonaco().then((monaco) => {
      if (disposed || !host.current) return;
      const uri = (side: string) => monaco.Uri.from({ scheme: 'diff', path: `/${side}/${path}` });
      models.push(monaco.editor.createModel(original, undefined, uri('a')), monaco.editor.createModel(modified, undefined, uri('b')));
      diff = monaco.editor.createDiffEditor(host.current, {
        theme: document.documentElement.dataset.theme === 'light' ? 'vs' : 'wright-dark',
        readOnly: true,
        automaticLayout: true,
        renderSideBySide: true,
        useInlineViewWhenSpaceIsLimited: false,
        fontSize: 12,
      });
      diff.setModel({ original: models[0]!, modified: models[1]! });
    });
    return () => {
      disposed = true;
      diff?.dispose();
      models.forEach((m) => m.dispose());
    };
  }, [path, original, modified]);
  return (
    <Dialog title={title} onClose={onClose} wide>
      <div className="diff-dialog-host" ref={host} role="region" aria-label={`Diff of ${path}`} />
      <div className="dialog-buttons">
        <button onClick={onClose}>Close</button>
      </div>
    </Dialog>
  );
}
