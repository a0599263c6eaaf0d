import { useEffect, useState } from 'react';
import { FileWarning, X } from 'lucide-react';
import { ErrorText } from '@/components/Dialog';
import { rawFileUrl } from '../api';
import { closeTab, compareWithDisk, loadDocument, saveDocument } from '../lib/documents';
import { useEditorStore, type DocState, type EditorGroup } from '../lib/editor-store';
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

const tabMime = 'application/x-wright-tab';

/** Editor groups side by side, each with its tabs of open files and its active one (Ctrl+\ splits). */
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
  const groups = useEditorStore((s) => s.groups);
  const activeGroup = useEditorStore((s) => s.activeGroup);
  const tabs = useEditorStore((s) => s.tabs);
  const docs = useEditorStore((s) => s.docs);

  useEffect(() => {
    for (const tab of tabs) {
      if (docs[tab]?.status === 'loading') void loadDocument(tab);
    }
  }, [tabs, docs]);

  return (
    <section className={groups.length > 1 ? 'editor-area split' : 'editor-area'} aria-label="Editor">
      {groups.map((group, index) => (
        <EditorGroupView
          key={group.id}
          projectId={projectId}
          theme={theme}
          group={group}
          index={index}
          count={groups.length}
          focused={group.id === activeGroup}
          {...(viewStates ? { viewStates } : {})}
          {...(onViewState ? { onViewState } : {})}
        />
      ))}
    </section>
  );
}

function EditorGroupView({
  projectId,
  theme,
  group,
  index,
  count,
  focused,
  viewStates,
  onViewState,
}: {
  projectId: string;
  theme: 'dark' | 'light';
  group: EditorGroup;
  index: number;
  count: number;
  focused: boolean;
  viewStates?: Record<string, unknown>;
  onViewState?: (path: string, state: unknown) => void;
}) {
  const docs = useEditorStore((s) => s.docs);
  const { activate, focusGroup, moveTab } = useEditorStore.getState();
  const [dropping, setDropping] = useState(false);
  const { id, tabs, active } = group;
  const doc = active ? docs[active] : undefined;
  const label = count > 1 ? `Editor group ${index + 1}` : 'Editor group';
  const save = (path: string) => void saveDocument(path).catch(() => undefined);

  const close = (tab: string) => {
    const name = tab.slice(tab.lastIndexOf('/') + 1);
    // The document stays open (and dirty) while another group shows it: only its last tab asks.
    const elsewhere = useEditorStore.getState().groups.some((g) => g.id !== id && g.tabs.includes(tab));
    if (elsewhere || !docs[tab]?.dirty || confirm(`${name} has unsaved changes. Close it anyway?`)) closeTab(id, tab);
  };

  const onDrop = (e: React.DragEvent, at?: number) => {
    const data = e.dataTransfer.getData(tabMime);
    setDropping(false);
    if (!data) return;
    e.preventDefault();
    e.stopPropagation();
    const { path, group: from } = JSON.parse(data) as { path: string; group: string };
    moveTab(path, from, id, at);
  };
  const dropTarget = {
    onDragOver: (e: React.DragEvent) => {
      if (!e.dataTransfer.types.includes(tabMime)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'move';
      setDropping(true);
    },
    onDragLeave: () => setDropping(false),
    onDrop: (e: React.DragEvent) => onDrop(e),
  };

  return (
    <div
      className={`editor-group${focused ? ' focused' : ''}${dropping ? ' dropping' : ''}`}
      role="group"
      aria-label={label}
      onFocusCapture={() => focusGroup(id)}
      onMouseDownCapture={() => focusGroup(id)}
      {...dropTarget}
    >
      <div
        className="tab-strip"
        role="tablist"
        aria-label={count > 1 ? `Open files, group ${index + 1}` : 'Open files'}
        onKeyDown={(e) => {
          // Arrow keys move between tabs (the ARIA tabs pattern); Delete closes one.
          const at = active ? tabs.indexOf(active) : -1;
          const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
          if (step && tabs.length > 0) {
            const next = tabs[(at + step + tabs.length) % tabs.length]!;
            activate(next, id);
            (e.currentTarget.querySelector(`[data-tab="${CSS.escape(next)}"]`) as HTMLElement | null)?.focus();
            e.preventDefault();
          } else if (e.key === 'Delete' && active) {
            close(active);
            e.preventDefault();
          }
        }}
      >
        {tabs.map((tab, at) => {
          const state = docs[tab];
          const name = tab.slice(tab.lastIndexOf('/') + 1);
          return (
            <div
              key={tab}
              role="tab"
              data-tab={tab}
              aria-selected={tab === active}
              aria-label={`${name}${state?.dirty ? ' (modified)' : ''}`}
              title={tab}
              tabIndex={tab === active ? 0 : -1}
              className={tab === active ? 'tab active' : 'tab'}
              draggable
              onDragStart={(e) => {
                e.dataTransfer.setData(tabMime, JSON.stringify({ path: tab, group: id }));
                e.dataTransfer.effectAllowed = 'move';
              }}
              onDrop={(e) => onDrop(e, at)}
              onClick={() => activate(tab, id)}
              onAuxClick={(e) => e.button === 1 && closeTab(id, tab)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') activate(tab, id);
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
                tabIndex={-1}
                onClick={(e) => {
                  e.stopPropagation();
                  close(tab);
                }}
              >
                <X size={13} />
              </button>
            </div>
          );
        })}
        <div className="tab-strip-fill" onDrop={(e) => onDrop(e)} />
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
            <CodeEditor
              path={active}
              theme={theme}
              onSave={() => save(active)}
              viewState={viewStates?.[active]}
              groupId={id}
              focused={focused}
              onFocus={() => focusGroup(id)}
              {...(onViewState ? { onViewState } : {})}
            />
          )}
        </div>
      ) : (
        <div className="editor-empty">
          <p>No file open</p>
          <p className="hint">Ctrl+P to open a file · Ctrl+\ to split the editor · Ctrl+Shift+P for commands · ask the model on the right</p>
        </div>
      )}
    </div>
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
