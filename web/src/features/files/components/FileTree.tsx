import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useQueries, useQueryClient } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { ChevronDown, ChevronRight, File, FilePlus, FolderPlus, LocateFixed, Pencil, RefreshCw, Trash2 } from 'lucide-react';
import { Dialog, ErrorText } from '@/components/Dialog';
import { ancestorsOf, createDirectory, deleteEntry, moveEntry, parentOf, treeKey, treeQuery, writeFile, type TreeEntry } from '../api';
import { closeDocument, renameDocument } from '../lib/documents';
import { useEditorStore } from '../lib/editor-store';
import '../files.css';

/** Git status letter per path (M, A, D, U, R…), composed in by the workspace. */
export type Decorations = Record<string, string>;

interface Row {
  entry: TreeEntry;
  depth: number;
}

type Pending = { kind: 'file'; parent: string } | { kind: 'folder'; parent: string } | { kind: 'rename'; entry: TreeEntry } | { kind: 'delete'; entry: TreeEntry };

const rowHeight = 22;
// The drag's own data type: a drop from outside the tree (a file from the desktop) is not a move.
const dragType = 'application/x-wright-path';

/**
 * The Explorer: a lazy tree (a folder's entries are fetched when it is expanded) rendered as a
 * virtual list, so a 100,000-file repository costs only the rows on screen.
 */
export function FileTree({
  projectId,
  decorations,
  expanded,
  onExpandedChange,
}: {
  projectId: string;
  decorations: Decorations;
  expanded: string[];
  onExpandedChange: (expanded: string[]) => void;
}) {
  const client = useQueryClient();
  const openFile = useEditorStore((s) => s.open);
  const active = useEditorStore((s) => s.active);
  const [selected, setSelected] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [dropTarget, setDropTarget] = useState<string | null>(null);
  const [moveError, setMoveError] = useState<unknown>(null);
  const [revealing, setRevealing] = useState<string | null>(null);
  const expandedSet = useMemo(() => new Set(expanded), [expanded]);
  const dirs = useMemo(() => ['', ...expanded], [expanded]);
  const results = useQueries({ queries: dirs.map((dir) => treeQuery(projectId, dir)) });

  // useQueries answers a new array on every render (each scroll frame re-renders the tree): the
  // rows are rebuilt only when a folder's listing or the expanded set really changed, and each
  // listing is sorted once, not on every frame.
  const listings = results.map((r) => r.data);
  const built = useRef<{ listings: Array<unknown>; expanded: Set<string>; rows: Row[] } | null>(null);
  let rows: Row[];
  if (built.current && built.current.expanded === expandedSet && sameItems(built.current.listings, listings)) {
    rows = built.current.rows;
  } else {
    const byDir = new Map<string, TreeEntry[]>();
    dirs.forEach((dir, i) => {
      const data = results[i]?.data;
      if (data) byDir.set(dir, sortedEntries(data.entries));
    });
    const out: Row[] = [];
    const walk = (dir: string, depth: number) => {
      for (const entry of byDir.get(dir) ?? []) {
        out.push({ entry, depth });
        if (entry.kind === 'directory' && expandedSet.has(entry.path)) walk(entry.path, depth + 1);
      }
    };
    walk('', 0);
    rows = out;
    built.current = { listings, expanded: expandedSet, rows };
  }

  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => rowHeight, overscan: 20 });

  const toggle = (path: string) => onExpandedChange(expandedSet.has(path) ? expanded.filter((p) => p !== path) : [...expanded, path]);
  const activate = (entry: TreeEntry) => {
    setSelected(entry.path);
    if (entry.kind === 'directory') toggle(entry.path);
    else openFile(entry.path);
  };

  const refreshDir = (dir: string) => client.invalidateQueries({ queryKey: treeKey(projectId, dir) });

  /** Drag and drop: moves a file or folder into a folder (or the project's root), keeping its open tabs. */
  async function moveInto(from: string, dir: string) {
    setDropTarget(null);
    const name = from.slice(from.lastIndexOf('/') + 1);
    const to = dir ? `${dir}/${name}` : name;
    if (to === from || dir === from || dir.startsWith(`${from}/`)) return;
    setMoveError(null);
    try {
      await moveEntry(projectId, from, to);
      renameDocument(from, to);
      setSelected(to);
      await Promise.all([refreshDir(parentOf(from)), refreshDir(dir)]);
      if (dir && !expandedSet.has(dir)) onExpandedChange([...expanded, dir]);
    } catch (error) {
      setMoveError(error);
    }
  }

  const dropProps = (dir: string) => ({
    onDragOver: (e: React.DragEvent) => {
      if (!e.dataTransfer.types.includes(dragType)) return;
      e.preventDefault();
      e.stopPropagation();
      e.dataTransfer.dropEffect = 'move';
      if (dropTarget !== dir) setDropTarget(dir);
    },
    onDrop: (e: React.DragEvent) => {
      const from = e.dataTransfer.getData(dragType);
      if (!from) return;
      e.preventDefault();
      e.stopPropagation();
      void moveInto(from, dir);
    },
  });

  /** Shows the active file in the tree: its folders expanded, its row selected and scrolled into view. */
  function revealActive() {
    if (!active) return;
    const folders = ancestorsOf(active).filter((d) => d !== '');
    const missing = folders.filter((d) => !expandedSet.has(d));
    if (missing.length > 0) onExpandedChange([...expanded, ...missing]);
    setSelected(active);
    setRevealing(active);
  }
  useEffect(() => {
    if (!revealing) return;
    const index = rows.findIndex((r) => r.entry.path === revealing);
    if (index >= 0) {
      virtual.scrollToIndex(index, { align: 'center' });
      setRevealing(null);
    }
  }, [revealing, rows, virtual]);
  const selectedEntry = rows.find((r) => r.entry.path === selected)?.entry;
  const targetDir = selectedEntry ? (selectedEntry.kind === 'directory' ? selectedEntry.path : parentOf(selectedEntry.path)) : '';

  function onKeyDown(event: KeyboardEvent) {
    const index = rows.findIndex((r) => r.entry.path === selected);
    const row = rows[index];
    const move = (to: number) => {
      const next = rows[Math.max(0, Math.min(rows.length - 1, to))];
      if (next) {
        setSelected(next.entry.path);
        virtual.scrollToIndex(rows.indexOf(next));
      }
    };
    switch (event.key) {
      case 'ArrowDown':
        move(index + 1);
        break;
      case 'ArrowUp':
        move(index - 1);
        break;
      case 'ArrowRight':
        if (row?.entry.kind === 'directory' && !expandedSet.has(row.entry.path)) toggle(row.entry.path);
        break;
      case 'ArrowLeft':
        if (row?.entry.kind === 'directory' && expandedSet.has(row.entry.path)) toggle(row.entry.path);
        else if (row) setSelected(parentOf(row.entry.path) || null);
        break;
      case 'Enter':
        if (row) activate(row.entry);
        break;
      case 'F2':
        if (row) setPending({ kind: 'rename', entry: row.entry });
        break;
      case 'Delete':
        if (row) setPending({ kind: 'delete', entry: row.entry });
        break;
      default:
        return;
    }
    event.preventDefault();
  }

  return (
    <div className="file-tree">
      <div className="side-toolbar" role="toolbar" aria-label="Explorer actions">
        <button className="icon" aria-label="New file" title="New file" onClick={() => setPending({ kind: 'file', parent: targetDir })}>
          <FilePlus size={15} />
        </button>
        <button className="icon" aria-label="New folder" title="New folder" onClick={() => setPending({ kind: 'folder', parent: targetDir })}>
          <FolderPlus size={15} />
        </button>
        <button className="icon" aria-label="Rename" title="Rename (F2)" disabled={!selectedEntry} onClick={() => selectedEntry && setPending({ kind: 'rename', entry: selectedEntry })}>
          <Pencil size={14} />
        </button>
        <button className="icon" aria-label="Delete" title="Delete (Del)" disabled={!selectedEntry} onClick={() => selectedEntry && setPending({ kind: 'delete', entry: selectedEntry })}>
          <Trash2 size={14} />
        </button>
        <button className="icon" aria-label="Reveal the active file" title="Reveal the active file" disabled={!active} onClick={revealActive}>
          <LocateFixed size={14} />
        </button>
        <button className="icon" aria-label="Refresh explorer" title="Refresh" onClick={() => client.invalidateQueries({ queryKey: ['project', projectId, 'tree'] })}>
          <RefreshCw size={14} />
        </button>
      </div>
      <ErrorText error={results[0]?.error ?? moveError} />
      {results[0]?.data?.entries.length === 0 && <p className="empty-state small">Empty project — create a file, or ask the model to scaffold one.</p>}
      <div
        ref={scroller}
        className="tree-scroll"
        role="tree"
        aria-label="Files"
        tabIndex={0}
        onKeyDown={onKeyDown}
        aria-activedescendant={selected ? rowId(selected) : undefined}
        {...dropProps('')}
        data-drop-target={dropTarget === '' ? 'true' : undefined}
      >
        <TreeIconSprite />
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {virtual.getVirtualItems().map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const { entry, depth } = row;
            const isDir = entry.kind === 'directory';
            const open = isDir && expandedSet.has(entry.path);
            const decoration = decorations[entry.path] ?? (isDir ? folderDecoration(decorations, entry.path) : undefined);
            return (
              <div
                key={entry.path}
                id={rowId(entry.path)}
                role="treeitem"
                aria-level={depth + 1}
                aria-expanded={isDir ? open : undefined}
                aria-selected={entry.path === selected}
                aria-label={entry.name}
                className={`tree-row${entry.path === selected ? ' selected' : ''}${entry.path === active ? ' active' : ''}${decoration ? ` git-${decoration}` : ''}${isDir && dropTarget === entry.path ? ' drop-target' : ''}`}
                style={{ transform: `translateY(${item.start}px)`, paddingLeft: 6 + depth * 12 }}
                onClick={() => activate(entry)}
                draggable
                onDragStart={(e) => {
                  e.dataTransfer.setData(dragType, entry.path);
                  e.dataTransfer.effectAllowed = 'move';
                }}
                onDragEnd={() => setDropTarget(null)}
                {...(isDir ? dropProps(entry.path) : dropProps(parentOf(entry.path)))}
              >
                {isDir ? <TreeIcon name={open ? 'open' : 'closed'} size={14} /> : <TreeIcon name="file" size={13} className="file-icon" />}
                <span className="tree-name">{entry.name}</span>
                {decoration && <span className="git-badge">{decoration}</span>}
              </div>
            );
          })}
        </div>
      </div>
      {pending && (
        <EntryDialog
          pending={pending}
          onClose={() => setPending(null)}
          onDone={(dirsToRefresh, openPath) => {
            dirsToRefresh.forEach((d) => void refreshDir(d));
            if (openPath) openFile(openPath);
            setPending(null);
          }}
          projectId={projectId}
          expandParent={(dirs) => {
            const missing = dirs.filter((d) => d && !expandedSet.has(d));
            if (missing.length > 0) onExpandedChange([...expanded, ...missing]);
          }}
        />
      )}
    </div>
  );
}

function EntryDialog({
  projectId,
  pending,
  onClose,
  onDone,
  expandParent,
}: {
  projectId: string;
  pending: Pending;
  onClose: () => void;
  onDone: (dirs: string[], open?: string) => void;
  expandParent: (dirs: string[]) => void;
}) {
  const initial = pending.kind === 'rename' ? pending.entry.path : pending.kind === 'delete' ? '' : pending.parent ? `${pending.parent}/` : '';
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const title =
    pending.kind === 'file' ? 'New file' : pending.kind === 'folder' ? 'New folder' : pending.kind === 'rename' ? `Rename ${pending.entry.name}` : `Delete ${pending.entry.name}`;

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const path = value.trim().replace(/^\/+/, '');
      if (pending.kind === 'file') {
        await writeFile(projectId, path, '', null);
        expandParent(ancestorsOf(path));
        onDone(ancestorsOf(path), path);
      } else if (pending.kind === 'folder') {
        await createDirectory(projectId, path);
        expandParent(ancestorsOf(path));
        onDone(ancestorsOf(path));
      } else if (pending.kind === 'rename') {
        await moveEntry(projectId, pending.entry.path, path);
        renameDocument(pending.entry.path, path);
        onDone([...ancestorsOf(pending.entry.path), ...ancestorsOf(path)]);
      } else {
        await deleteEntry(projectId, pending.entry.path, pending.entry.kind === 'directory');
        const { tabs } = useEditorStore.getState();
        tabs.filter((t) => t === pending.entry.path || t.startsWith(`${pending.entry.path}/`)).forEach(closeDocument);
        onDone([parentOf(pending.entry.path)]);
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={title} onClose={onClose}>
      <form className="dialog-form" onSubmit={submit}>
        {pending.kind === 'delete' ? (
          <p>
            Delete <strong>{pending.entry.path}</strong>
            {pending.entry.kind === 'directory' ? ' and everything in it' : ''}? Committed content can be restored from History.
          </p>
        ) : (
          <label>
            Path
            <input autoFocus value={value} onChange={(e) => setValue(e.target.value)} required aria-label="Path" />
          </label>
        )}
        <ErrorText error={error} />
        <div className="dialog-buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={pending.kind === 'delete' ? 'danger' : 'primary'} disabled={busy}>
            {pending.kind === 'delete' ? 'Delete' : pending.kind === 'rename' ? 'Rename' : 'Create'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/**
 * The row icons as one SVG sprite: a row shows a <use> of a symbol instead of a whole icon of
 * its own, so rows mounting while the tree scrolls create two elements instead of a dozen.
 */
function TreeIconSprite() {
  return (
    <svg width="0" height="0" style={{ position: 'absolute' }} aria-hidden>
      <symbol id="wright-tree-closed" viewBox="0 0 24 24">
        <ChevronRight />
      </symbol>
      <symbol id="wright-tree-open" viewBox="0 0 24 24">
        <ChevronDown />
      </symbol>
      <symbol id="wright-tree-file" viewBox="0 0 24 24">
        <File />
      </symbol>
    </svg>
  );
}

function TreeIcon({ name, size, className }: { name: 'open' | 'closed' | 'file'; size: number; className?: string }) {
  return (
    <svg width={size} height={size} aria-hidden className={className}>
      <use href={`#wright-tree-${name}`} />
    </svg>
  );
}

const sorted = new WeakMap<TreeEntry[], TreeEntry[]>();
const collator = new Intl.Collator();

/** Folders first, then by name; once per listing (a listing is immutable query data). */
function sortedEntries(entries: TreeEntry[]): TreeEntry[] {
  let result = sorted.get(entries);
  if (!result) {
    result = [...entries].sort((a, b) => {
      const ad = a.kind === 'directory' ? 0 : 1;
      const bd = b.kind === 'directory' ? 0 : 1;
      return ad - bd || collator.compare(a.name, b.name);
    });
    sorted.set(entries, result);
  }
  return result;
}

function sameItems(a: ReadonlyArray<unknown>, b: ReadonlyArray<unknown>): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

function folderDecoration(decorations: Decorations, dir: string): string | undefined {
  const prefix = `${dir}/`;
  for (const path in decorations) if (path.startsWith(prefix)) return '•';
  return undefined;
}

function rowId(path: string): string {
  return `tree-${path.replace(/[^a-zA-Z0-9_-]/g, (c) => `_${c.charCodeAt(0)}`)}`;
}
