import { useEffect } from 'react';
import { FileWarning, X } from 'lucide-react';
import { ErrorText } from '@/components/Dialog';
import { rawFileUrl } from '../api';
import { closeDocument, compareWithDisk, loadDocument, saveDocument } from '../lib/documents';
import { useEditorStore, type DocState } from '../lib/editor-store';
import { CodeEditor } from './CodeEditor';
import { ConflictView } from './ConflictView';

const imageTypes: Record<string, string> = {
  png: 'PNG image',
  jpg: 'JPEG image',
  jpeg: 'JPEG image',
  gif: 'GIF image',
  webp: 'WebP image',
  svg: 'SVG image',
  ico: 'icon',
  bmp: 'bitmap image',
};

function extension(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Tabs of open files and the active one: Monaco for text, a preview for images, size and type for other binaries. */
export function EditorArea({
  projectId,
  theme,
  viewStates,
  onViewState,
}: {
  projectId: string;
  theme: 'dark' | 'light';
  viewStates?: Record<string, unknown>;
  onViewState?: (path: string, state: unknown) => void;
}) {
  const { tabs, active, docs, activate } = useEditorStore();
  const doc = active ? docs[active] : undefined;

  useEffect(() => {
    for (const tab of tabs) {
      if (docs[tab]?.status === 'loading') void loadDocument(tab);
    }
  }, [tabs, docs]);

  const save = (path: string) => void saveDocument(path).catch(() => undefined);

  return (
    <section className="editor-area" aria-label="Editor">
      <div className="tab-strip" role="tablist" aria-label="Open files">
        {tabs.map((tab) => {
          const state = docs[tab];
          const name = tab.slice(tab.lastIndexOf('/') + 1);
          return (
            <div
              key={tab}
              role="tab"
              aria-selected={tab === active}
              aria-label={`${name}${state?.dirty ? ' (modified)' : ''}`}
              title={tab}
              tabIndex={tab === active ? 0 : -1}
              className={tab === active ? 'tab active' : 'tab'}
              onClick={() => activate(tab)}
              onAuxClick={(e) => e.button === 1 && closeDocument(tab)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') activate(tab);
              }}
            >
              <span className="tab-name">{name}</span>
              {state?.dirty ? (
                <span className="dirty-dot" aria-hidden title="Unsaved changes">
                  ●
                </span>
              ) : null}
              <button
                className="tab-close icon"
                aria-label={`Close ${name}`}
                onClick={(e) => {
                  e.stopPropagation();
                  if (!state?.dirty || confirm(`${name} has unsaved changes. Close it anyway?`)) closeDocument(tab);
                }}
              >
                <X size={13} />
              </button>
            </div>
          );
        })}
      </div>
      {active && doc ? (
        <div className="editor-body" role="tabpanel" aria-label={active}>
          <DocumentBars path={active} doc={doc} onSave={() => save(active)} />
          {doc.conflict ? (
            <ConflictView projectId={projectId} path={active} conflict={doc.conflict} theme={theme} />
          ) : doc.status === 'error' ? (
            <div className="empty-state">
              <ErrorText error={doc.error} />
            </div>
          ) : doc.status === 'loading' ? (
            <div className="empty-state">Loading {active}…</div>
          ) : doc.binary ? (
            <BinaryView projectId={projectId} path={active} size={doc.size} />
          ) : (
            <CodeEditor path={active} theme={theme} onSave={() => save(active)} viewState={viewStates?.[active]} {...(onViewState ? { onViewState } : {})} />
          )}
        </div>
      ) : (
        <div className="editor-empty">
          <p>No file open</p>
          <p className="hint">Ctrl+P to open a file · Ctrl+Shift+P for commands · ask the model on the right</p>
        </div>
      )}
    </section>
  );
}

function DocumentBars({ path, doc, onSave }: { path: string; doc: DocState; onSave: () => void }) {
  if (doc.diskChange?.deleted) {
    return (
      <div className="editor-bar warn" role="status">
        <FileWarning size={14} /> {path} was deleted on disk. Saving recreates it.
        <button onClick={onSave}>Save</button>
      </div>
    );
  }
  if (doc.diskChange) {
    const who = doc.diskChange.source === 'ai' ? 'the model' : doc.diskChange.source === 'api' ? 'another editor' : 'another program';
    return (
      <div className="editor-bar warn" role="status">
        <FileWarning size={14} /> Changed on disk by {who} while you have unsaved edits.
        <button onClick={() => void compareWithDisk(path)}>Compare</button>
      </div>
    );
  }
  return null;
}

function BinaryView({ projectId, path, size }: { projectId: string; path: string; size: number }) {
  const ext = extension(path);
  const image = imageTypes[ext];
  return (
    <div className="binary-view" role="region" aria-label={`Preview ${path}`}>
      <p>
        {image ?? (ext ? `${ext.toUpperCase()} file` : 'Binary file')} · {formatSize(size)}
      </p>
      {image && <img src={rawFileUrl(projectId, path)} alt={path} />}
    </div>
  );
}
