import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { openEventStream } from '@/lib/sse';
import { applyFileEvent, resyncFiles, type FileEventData } from '@/features/files/lib/file-events';
import { useEditorStore } from '@/features/files/lib/editor-store';
import { retryPendingSaves } from '@/features/files/lib/documents';
import { applyFlowBusEvent } from '@/features/flows/lib/run-stream';

/**
 * The workspace's one subscription to the project's event stream: file events go to the explorer
 * and the open editors, git and session caches are marked stale. Returns whether it is connected.
 */
export function useProjectEvents(projectId: string): boolean {
  const client = useQueryClient();
  const [connected, setConnected] = useState(true);
  useEffect(() => {
    let gitTimer: ReturnType<typeof setTimeout> | undefined;
    const touchGit = () => {
      clearTimeout(gitTimer);
      gitTimer = setTimeout(() => void client.invalidateQueries({ queryKey: ['project', projectId, 'git'] }), 300);
    };
    let wasConnected = true;
    const close = openEventStream(api, `/api/events?projectId=${projectId}`, {
      onStatus: (ok) => {
        setConnected(ok);
        if (ok && !wasConnected) {
          resyncFiles(client, projectId, useEditorStore.getState().tabs);
          void retryPendingSaves();
        }
        wasConnected = ok;
      },
      onEvent: (event) => {
        const data = event.data ? (JSON.parse(event.data) as { data?: unknown; type?: string }) : {};
        const payload = (data.data ?? data) as FileEventData & { sessionId?: string };
        if (event.event === 'file.changed' || event.event === 'file.deleted') {
          applyFileEvent(client, projectId, event.event, payload);
          touchGit();
          // A template written by hand, by git or by the model: the flow list is stale.
          if (payload.path?.startsWith('.wright/flows/')) void client.invalidateQueries({ queryKey: ['project', projectId, 'flows'], exact: true });
        } else if (event.event === 'resync') {
          resyncFiles(client, projectId, useEditorStore.getState().tabs);
          touchGit();
        } else if (event.event === 'flow.run') {
          applyFlowBusEvent(client, payload as Parameters<typeof applyFlowBusEvent>[1]);
        } else if (event.event.startsWith('session.') || event.event.startsWith('message.')) {
          void client.invalidateQueries({ queryKey: ['project', projectId, 'sessions'] });
        }
      },
    });
    return () => {
      clearTimeout(gitTimer);
      close();
    };
  }, [client, projectId]);
  return connected;
}

/**
 * After HEAD moves (a branch switch, a pull, an undo) every open file is checked against the disk,
 * so a tab whose file vanished shows as deleted even if the watcher's events were missed.
 */
export function useResyncOnCheckout(projectId: string, head: string | null): void {
  const client = useQueryClient();
  const last = useRef<string | null>(null);
  useEffect(() => {
    if (head && last.current && head !== last.current) resyncFiles(client, projectId, useEditorStore.getState().tabs);
    last.current = head;
  }, [client, projectId, head]);
}
