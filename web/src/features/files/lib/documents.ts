import type * as MonacoApi from 'monaco-editor';
import { errorMessage, isApiError } from '@/lib/api-error';
import { notifyError } from '@/lib/notifications';
import { readFile, writeFile } from '../api';
import { useEditorStore } from './editor-store';
import { loadMonaco } from '@/lib/monaco';

/**
 * The open files of one project: a Monaco model per text file, the text it was loaded from (the
 * merge base) and the model version that matches the disk. Saving and outside changes go through
 * here so the conflict rules live in one place.
 */
interface Buffer {
  model: MonacoApi.editor.ITextModel;
  base: string;
  savedVersion: number;
  listener: MonacoApi.IDisposable;
}

let projectId: string | null = null;
const buffers = new Map<string, Buffer>();
/** The editor of the focused group (search hits and deep links move its cursor). */
let activeEditor: MonacoApi.editor.ICodeEditor | null = null;
/** Every editor (one per group), to keep cursor and scroll through a reload of the model they show. */
const editors = new Set<MonacoApi.editor.ICodeEditor>();

const store = () => useEditorStore.getState();

export function setDocumentsProject(id: string): void {
  if (projectId === id) return;
  for (const buffer of buffers.values()) {
    buffer.listener.dispose();
    buffer.model.dispose();
  }
  buffers.clear();
  projectId = id;
  store().reset();
}

export function setActiveEditor(editor: MonacoApi.editor.ICodeEditor | null): void {
  activeEditor = editor;
}

/** An editor of a group came (or went): a reload of its model keeps its view. */
export function registerEditor(editor: MonacoApi.editor.ICodeEditor): () => void {
  editors.add(editor);
  return () => {
    editors.delete(editor);
    if (activeEditor === editor) activeEditor = null;
  };
}

export function getModel(path: string): MonacoApi.editor.ITextModel | null {
  return buffers.get(path)?.model ?? null;
}

export function getBase(path: string): string | null {
  return buffers.get(path)?.base ?? null;
}

function uriFor(monaco: typeof MonacoApi, path: string) {
  return monaco.Uri.from({ scheme: 'file', path: `/${projectId}/${path}` });
}

/** Loads a file into a model (once); binary files only get their size. */
export async function loadDocument(path: string): Promise<void> {
  const id = projectId;
  if (!id || buffers.has(path)) return;
  try {
    const [file, monaco] = await Promise.all([readFile(id, path), loadMonaco()]);
    if (projectId !== id || buffers.has(path)) return;
    if (file.binary || file.content === null) {
      store().patch(path, { status: 'ready', binary: true, size: file.size, etag: file.etag });
      return;
    }
    const model = monaco.editor.createModel(file.content, undefined, uriFor(monaco, path));
    const kept = readBackup(id)[path];
    const buffer: Buffer = {
      model,
      base: file.content,
      savedVersion: model.getAlternativeVersionId(),
      listener: model.onDidChangeContent(() => {
        const dirty = model.getAlternativeVersionId() !== buffer.savedVersion;
        if (store().docs[path]?.dirty !== dirty) store().patch(path, { dirty });
        scheduleBackup();
      }),
    };
    buffers.set(path, buffer);
    store().patch(path, { status: 'ready', binary: false, size: file.size, etag: file.etag, dirty: false });
    if (kept && kept.content !== file.content) {
      // Unsaved edits kept from before a reload or an outage: back in the buffer, still unsaved,
      // based on the version they were made on, so saving meets the conflict view if the disk moved.
      buffer.base = kept.base;
      model.setValue(kept.content);
      store().patch(path, { etag: kept.etag, dirty: true });
    }
  } catch (error) {
    store().patch(path, { status: 'error', error: errorMessage(error) });
  }
}

function markSaved(path: string, content: string, etag: string) {
  const buffer = buffers.get(path);
  if (!buffer) return;
  scheduleBackup();
  buffer.base = content;
  // Only clean when the model still holds what was saved (the user may have typed meanwhile).
  if (buffer.model.getValue() === content) buffer.savedVersion = buffer.model.getAlternativeVersionId();
  store().patch(path, {
    etag,
    saving: false,
    pendingSave: false,
    conflict: null,
    diskChange: null,
    dirty: buffer.model.getAlternativeVersionId() !== buffer.savedVersion,
  });
}

/** Saves with If-Match; a newer version on disk opens the conflict view instead of overwriting it. */
export async function saveDocument(path: string): Promise<'saved' | 'conflict' | 'failed'> {
  const id = projectId;
  const buffer = buffers.get(path);
  const doc = store().docs[path];
  if (!id || !buffer || !doc) return 'failed';
  const content = buffer.model.getValue();
  store().patch(path, { saving: true });
  try {
    const written = await writeFile(id, path, content, doc.etag ?? undefined);
    markSaved(path, content, written.etag);
    return 'saved';
  } catch (error) {
    if (isApiError(error, 'version_conflict') || isApiError(error, 'precondition_failed')) {
      const theirs = await readFile(id, path);
      store().patch(path, { saving: false, diskChange: null, conflict: { mine: content, theirs: theirs.content ?? '', theirsEtag: theirs.etag, merged: null } });
      return 'conflict';
    }
    if (isApiError(error) && error.isNetwork) {
      store().patch(path, { saving: false, pendingSave: true });
      return 'failed';
    }
    store().patch(path, { saving: false, error: errorMessage(error) });
    notifyError(`Saving ${path} failed`, error);
    throw error;
  }
}

/** Resolves a conflict by writing `content` over the version the user has seen (its etag). */
export async function resolveConflict(path: string, content: string, etag: string): Promise<void> {
  const id = projectId;
  const buffer = buffers.get(path);
  if (!id || !buffer) return;
  const written = await writeFile(id, path, content, etag);
  if (buffer.model.getValue() !== content) replaceKeepingView(buffer.model, content);
  markSaved(path, content, written.etag);
}

/** Takes the disk's version and drops the edits. */
export function acceptTheirs(path: string, theirs: string, etag: string): void {
  const buffer = buffers.get(path);
  if (!buffer) return;
  replaceKeepingView(buffer.model, theirs);
  markSaved(path, theirs, etag);
}

function replaceKeepingView(model: MonacoApi.editor.ITextModel, content: string) {
  const views = [...editors].filter((e) => e.getModel() === model).map((e) => [e, e.saveViewState()] as const);
  model.pushEditOperations([], [{ range: model.getFullModelRange(), text: content }], () => null);
  model.pushStackElement();
  for (const [editor, view] of views) if (view) editor.restoreViewState(view);
}

/**
 * A file changed on disk (a `file.changed` event). Our own save is recognised by its ETag; an
 * unmodified buffer reloads in place keeping cursor and scroll; a modified one shows a bar.
 */
export function onDiskChange(path: string, etag: string | null, source: string): Promise<void> {
  // One at a time per file, in event order: a slow read of an older version must not land last.
  const previous = diskQueue.get(path) ?? Promise.resolve();
  const next = previous.then(() => applyDiskChange(path, etag, source)).catch(() => undefined);
  diskQueue.set(path, next);
  void next.then(() => diskQueue.get(path) === next && diskQueue.delete(path));
  return next;
}

const diskQueue = new Map<string, Promise<void>>();

async function applyDiskChange(path: string, etag: string | null, source: string): Promise<void> {
  const id = projectId;
  const doc = store().docs[path];
  if (!id || !doc || doc.status !== 'ready') return;
  if (etag !== null && etag === doc.etag) return;
  const buffer = buffers.get(path);
  if (!buffer) {
    // Binary: refresh its size.
    const file = await readFile(id, path);
    store().patch(path, { size: file.size, etag: file.etag });
    return;
  }
  if (doc.dirty || doc.saving) {
    store().patch(path, { diskChange: { source, deleted: false } });
    return;
  }
  // The file may be gone (a branch switch, a missed file.deleted): the tab says so instead of failing quietly.
  const file = await readFile(id, path).catch((error: unknown) => {
    if (isApiError(error, 'file_not_found')) {
      store().patch(path, { diskChange: { source, deleted: true } });
      return null;
    }
    throw error;
  });
  if (!file || file.content === null || store().docs[path]?.dirty) return;
  if (buffer.model.getValue() !== file.content) replaceKeepingView(buffer.model, file.content);
  markSaved(path, file.content, file.etag);
}

export function onDiskDelete(path: string): void {
  for (const tab of store().tabs) {
    if (tab === path || tab.startsWith(`${path}/`)) {
      store().patch(tab, { diskChange: { source: 'disk', deleted: true } });
    }
  }
}

/** Opens the conflict view for a buffer whose file changed on disk while it had edits. */
export async function compareWithDisk(path: string): Promise<void> {
  const id = projectId;
  const buffer = buffers.get(path);
  if (!id || !buffer) return;
  const theirs = await readFile(id, path);
  store().patch(path, { diskChange: null, conflict: { mine: buffer.model.getValue(), theirs: theirs.content ?? '', theirsEtag: theirs.etag, merged: null } });
}

/** Closes a file in every group and drops its model. */
export function closeDocument(path: string): void {
  store().close(path);
  dropUnshown();
}

/** Closes one group's tab; the model stays while another group still shows the file. */
export function closeTab(groupId: string, path: string): void {
  store().closeTab(groupId, path);
  dropUnshown();
}

function dropUnshown() {
  const shown = new Set(store().tabs);
  for (const [path, buffer] of buffers) {
    if (shown.has(path)) continue;
    buffer.listener.dispose();
    buffer.model.dispose();
    buffers.delete(path);
  }
}

export function renameDocument(from: string, to: string): void {
  // The model's URI names the old path; the simplest correct move is to reload under the new one.
  const doc = store().docs[from];
  if (!doc) return;
  const buffer = buffers.get(from);
  if (buffer && !doc.dirty) {
    buffer.listener.dispose();
    buffer.model.dispose();
    buffers.delete(from);
    store().rename(from, to);
    store().patch(to, { status: 'loading' });
    void loadDocument(to);
  } else {
    store().rename(from, to);
  }
}

/** The unsaved text of every dirty buffer (kept while the server is unreachable). */
export function unsavedBuffers(maxChars = Infinity): Array<{ path: string; content: string; base: string; etag: string | null }> {
  const result = [];
  for (const [path, buffer] of buffers) {
    const doc = store().docs[path];
    if (doc?.dirty && buffer.model.getValueLength() <= maxChars) result.push({ path, content: buffer.model.getValue(), base: buffer.base, etag: doc.etag });
  }
  return result;
}

/** Moves the cursor of a file to a line once its editor shows it (search hits, deep links). */
export function revealLine(path: string, line: number, column = 1): void {
  const attempt = (tries: number) => {
    const editor = activeEditor;
    if (editor && editor.getModel() === buffers.get(path)?.model) {
      editor.setPosition({ lineNumber: line, column });
      editor.revealLineInCenter(line);
      editor.focus();
    } else if (tries > 0) {
      setTimeout(() => attempt(tries - 1), 100);
    }
  };
  attempt(30);
}

/** Saves every file whose save failed while the server was unreachable (called on reconnection). */
export async function retryPendingSaves(): Promise<void> {
  for (const [path, doc] of Object.entries(store().docs)) {
    if (doc.pendingSave) await saveDocument(path).catch(() => undefined);
  }
}

// Unsaved edits are also kept in the browser (per project), so a reload or a server outage does
// not lose them. Only file text is kept there, never a credential.
interface Backup {
  content: string;
  base: string;
  etag: string | null;
}

const backupKey = (id: string) => `wright.unsaved.${id}`;
const backupMaxChars = 512 * 1024;
let backupTimer: ReturnType<typeof setTimeout> | undefined;

function readBackup(id: string): Record<string, Backup> {
  try {
    return JSON.parse(localStorage.getItem(backupKey(id)) ?? '{}') as Record<string, Backup>;
  } catch {
    return {};
  }
}

function scheduleBackup(): void {
  clearTimeout(backupTimer);
  const id = projectId;
  backupTimer = setTimeout(() => {
    if (!id || id !== projectId) return;
    const kept: Record<string, Backup> = {};
    // Browser storage holds a few megabytes in all: a huge file's edits stay in memory only, rather
    // than copying megabytes (and failing on the quota) every time typing pauses.
    for (const entry of unsavedBuffers(backupMaxChars)) kept[entry.path] = { content: entry.content, base: entry.base, etag: entry.etag };
    try {
      if (Object.keys(kept).length === 0) localStorage.removeItem(backupKey(id));
      else localStorage.setItem(backupKey(id), JSON.stringify(kept));
    } catch {
      // Storage full: the edits stay in memory.
    }
  }, 500);
}
