import type { QueryClient } from '@tanstack/react-query';
import { ancestorsOf, treeKey } from '../api';
import { onDiskChange, onDiskDelete } from './documents';

/** The payload of file.changed / file.deleted (the server names the hash `eTag`). */
export interface FileEventData {
  path: string;
  eTag?: string | null;
  etag?: string | null;
  source: string;
}

/** Applies a project event from the event stream to the explorer's cache and the open files. */
export function applyFileEvent(client: QueryClient, projectId: string, type: string, data: FileEventData): void {
  // A new file may also be the first entry of new directories: every listing above it may change.
  for (const dir of ancestorsOf(data.path)) void client.invalidateQueries({ queryKey: treeKey(projectId, dir), exact: true });
  if (type === 'file.changed') {
    void onDiskChange(data.path, data.eTag ?? data.etag ?? null, data.source).catch(() => undefined);
  } else if (type === 'file.deleted') {
    onDiskDelete(data.path);
  }
}

/** The event stream may have missed events: reload the tree and re-check every open file. */
export function resyncFiles(client: QueryClient, projectId: string, openPaths: string[]): void {
  void client.invalidateQueries({ queryKey: ['project', projectId, 'tree'] });
  for (const path of openPaths) void onDiskChange(path, null, 'disk').catch(() => undefined);
}
