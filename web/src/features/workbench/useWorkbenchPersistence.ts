import { useEffect } from 'react';
import { isApiError } from '@/lib/api-error';
import { getWorkbench, putWorkbench } from './api';
import { snapshot, useWorkbenchStore, type WorkbenchState } from './store';

/**
 * Restores the workbench of a project when it opens and saves changes (debounced) for the user on
 * the server, so a reload or another browser comes back to the same layout, tabs and session.
 */
export function useWorkbenchPersistence(projectId: string): void {
  useEffect(() => {
    let cancelled = false;
    useWorkbenchStore.setState({ restored: false });
    getWorkbench(projectId)
      .then((saved) => !cancelled && useWorkbenchStore.getState().restore(saved.state as Partial<WorkbenchState> | null))
      .catch((error: unknown) => {
        // A server without the endpoint yet (404) still gets a working workbench, just not a restored one.
        if (!cancelled) useWorkbenchStore.getState().restore(null);
        if (!isApiError(error)) throw error;
      });
    return () => {
      cancelled = true;
    };
  }, [projectId]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = '';
    const unsubscribe = useWorkbenchStore.subscribe((state) => {
      if (!state.restored) return;
      const next = snapshot(state);
      const text = JSON.stringify(next);
      if (text === last) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        last = text;
        putWorkbench(projectId, next).catch(() => undefined);
      }, 600);
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [projectId]);
}
