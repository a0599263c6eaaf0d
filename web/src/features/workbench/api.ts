import { api } from '@/lib/api-client';
import type { WorkbenchState } from './store';

export function getWorkbench(projectId: string): Promise<{ state: Partial<WorkbenchState> | null }> {
  return api.json(`/api/projects/${projectId}/workbench`);
}

export function putWorkbench(projectId: string, state: WorkbenchState): Promise<unknown> {
  return api.json(`/api/projects/${projectId}/workbench`, { method: 'PUT', body: { state } });
}
