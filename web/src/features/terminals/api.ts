import { queryOptions } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

/** A terminal as `GET /api/projects/{id}/terminals` lists it. */
export interface TerminalInfo {
  id: string;
  projectId: string;
  name: string;
  shell: string;
  cwd: string;
  cols: number;
  rows: number;
  /** `tmux` survives a restart of the server; `pty` is held by the server itself. */
  host: 'tmux' | 'pty';
  survivesRestart: boolean;
  sandboxed?: boolean;
  status: 'running' | 'exited';
  startedAt: string;
  exitedAt: string | null;
  exitCode: number | null;
  attachUrl: string;
}

export const terminalsQuery = (projectId: string) =>
  queryOptions({
    queryKey: ['project', projectId, 'terminals'],
    queryFn: async ({ signal }) => (await api.json<{ items: TerminalInfo[] }>(`/api/projects/${projectId}/terminals`, { signal })).items,
    staleTime: 10_000,
  });

export function createTerminal(projectId: string, options: { cols: number; rows: number; name?: string; sandbox?: boolean }): Promise<TerminalInfo> {
  return api.json<TerminalInfo>(`/api/projects/${projectId}/terminals`, { method: 'POST', body: options });
}

export function renameTerminal(terminalId: string, name: string): Promise<TerminalInfo> {
  return api.json<TerminalInfo>(`/api/terminals/${terminalId}`, { method: 'PATCH', body: { name } });
}

/** Kills the shell if it runs and forgets the terminal. */
export function deleteTerminal(terminalId: string): Promise<void> {
  return api.json<void>(`/api/terminals/${terminalId}`, { method: 'DELETE' });
}

/** The attach WebSocket's address on this origin (the browser sends the login cookie with it). */
export function attachAddress(terminal: TerminalInfo, cols: number, rows: number): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${terminal.attachUrl}?cols=${cols}&rows=${rows}`;
}

/** Asks the server to refresh the login (an upgrade refused with 401 says nothing to script). */
export function refreshLogin(): Promise<boolean> {
  return api.refresh();
}
