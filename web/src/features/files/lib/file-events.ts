import type { QueryClient } from '@tanstack/react-query';
import { parentOf, treeKey } from '../api';
import { onDiskChange, onDiskDelete } from './documents';

export interface FileEventData {
  path: string;
  etag: string | null;
  source: string;
}

/** Applies a project event from the event stream to the explorer's cache and the open files. */
export function applyFileEvent(client: QueryClient, projectId: string, type: string, data: FileEventData): void {
  if (type === 'file.changed') {
    void client.invalidateQueries({ queryKey: treeKey(projectId, parentOf(data.path)), exact: true });
    void onDiskChange(data.path, data.etag, data.source).catch(() => undefined);
  } else if (type === 'file.deleted') {
    void client.invalidateQueries({ queryKey: treeKey(projectId, parentOf(data.path)), exact: true });
    onDiskDelete(data.path);
  }
}

/** The event stream may have missed events: reload the tree and re-check every open file. */
export function resyncFiles(client: QueryClient, projectId: string, openPaths: string[]): void {
  void client.invalidateQueries({ queryKey: ['project', projectId, 'tree'] });
  for (const path of openPaths) void onDiskChange(path, null, 'disk').catch(() => undefined);
}
