import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Group, Panel, Separator } from 'react-resizable-panels';
import { AlertTriangle, Columns2, Plus, RotateCcw, ShieldCheck, SquareTerminal, Trash2, X } from 'lucide-react';
import { isApiError } from '@/lib/api-error';
import { notifyError } from '@/lib/notifications';
import { createTerminal, deleteTerminal, renameTerminal, terminalsQuery, type TerminalInfo } from '../api';
import { TerminalView } from './TerminalView';

/** Which terminals the panel shows: each tab holds one terminal or several side by side (a split). */
export interface TerminalLayout {
  tabs: string[][];
  active: number;
}

interface Props {
  projectId: string;
  projectRoot: string;
  theme: 'dark' | 'light';
  layout: TerminalLayout;
  visible: boolean;
  onLayout(layout: TerminalLayout): void;
  onOpenFile(path: string, line: number, column: number): void;
  /** The panel's own controls (view switcher, close), drawn at the start and end of the header. */
  header: ReactNode;
  actions: ReactNode;
}

/**
 * The terminals of the bottom panel, like VS Code's: tabs, splits inside a tab, a new terminal
 * with one click (and one opened for you the first time the panel shows), closing a tab ends its
 * shell. Which terminals sit in which tab is saved with the workbench; terminals opened elsewhere
 * (another browser) join as tabs, and ones that no longer exist drop out.
 */
export function TerminalPanel({ projectId, projectRoot, theme, layout, visible, onLayout, onOpenFile, header, actions }: Props) {
  const client = useQueryClient();
  const list = useQuery({ ...terminalsQuery(projectId), enabled: visible });
  const byId = useMemo(() => new Map((list.data ?? []).map((t) => [t.id, t])), [list.data]);
  const [focusedId, setFocusedId] = useState<string | null>(null);
  const [exits, setExits] = useState<Record<string, number | null>>({});
  const [renaming, setRenaming] = useState<string | null>(null);
  const [dismissed, setDismissed] = useState<Set<string>>(new Set());
  const creating = useRef(false);

  // Reconcile the saved layout with the server's list once it is known.
  const tabs = useMemo(() => {
    if (!list.data) return layout.tabs;
    const kept = layout.tabs.map((tab) => tab.filter((id) => byId.has(id))).filter((tab) => tab.length > 0);
    const placed = new Set(kept.flat());
    const joined = list.data.filter((t) => t.status === 'running' && !placed.has(t.id)).map((t) => [t.id]);
    return [...kept, ...joined];
  }, [layout.tabs, list.data, byId]);
  const active = Math.min(Math.max(layout.active, 0), Math.max(tabs.length - 1, 0));

  useEffect(() => {
    if (!list.data) return;
    if (JSON.stringify(tabs) !== JSON.stringify(layout.tabs) || active !== layout.active) onLayout({ tabs, active });
  }, [tabs, active, layout, list.data, onLayout]);

  const open = async (options: { split?: boolean; sandbox?: boolean } = {}) => {
    if (creating.current) return;
    creating.current = true;
    try {
      const terminal = await createTerminal(projectId, { cols: 80, rows: 24, ...(options.sandbox ? { sandbox: true } : {}) });
      client.setQueryData<TerminalInfo[]>(terminalsQuery(projectId).queryKey, (old) => [...(old ?? []), terminal]);
      const next = options.split && tabs.length > 0 ? tabs.map((tab, i) => (i === active ? [...tab, terminal.id] : tab)) : [...tabs, [terminal.id]];
      onLayout({ tabs: next, active: options.split && tabs.length > 0 ? active : next.length - 1 });
      setFocusedId(terminal.id);
    } catch (error) {
      notifyError('The terminal could not open', error);
    } finally {
      creating.current = false;
    }
  };

  const close = async (id: string) => {
    const next = tabs.map((tab) => tab.filter((t) => t !== id)).filter((tab) => tab.length > 0);
    onLayout({ tabs: next, active: Math.min(active, Math.max(next.length - 1, 0)) });
    client.setQueryData<TerminalInfo[]>(terminalsQuery(projectId).queryKey, (old) => old?.filter((t) => t.id !== id));
    try {
      await deleteTerminal(id);
    } catch (error) {
      if (!isApiError(error) || error.status !== 404) notifyError('The terminal could not be closed', error);
    }
  };

  // The first time the panel shows with nothing in it, open a shell (what VS Code does); after the
  // user closed the last one, the panel offers a new one instead of opening it unasked.
  const autoOpened = useRef(false);
  useEffect(() => {
    if (visible && list.isSuccess && tabs.length === 0 && !autoOpened.current) {
      autoOpened.current = true;
      void open();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [visible, list.isSuccess, tabs.length]);

  const current = tabs[active] ?? [];
  const focused = focusedId && current.includes(focusedId) ? focusedId : current[0] ?? null;
  const onExit = (id: string, code: number | null) => {
    setExits((e) => ({ ...e, [id]: code }));
    void client.invalidateQueries({ queryKey: terminalsQuery(projectId).queryKey });
  };

  return (
    <section className="bottom-panel" aria-label="Terminals">
      <header className="panel-header">
        {header}
        <div className="terminal-tabs" role="tablist" aria-label="Terminal tabs">
          {tabs.map((tab, i) => {
            const first = byId.get(tab[0]!);
            const ended = tab.every((id) => byId.get(id)?.status === 'exited' || id in exits);
            const label = tab.map((id) => byId.get(id)?.name ?? '…').join(' | ');
            return (
              <div
                key={tab.join()}
                role="tab"
                tabIndex={0}
                aria-selected={i === active}
                className={i === active ? 'terminal-tab active' : 'terminal-tab'}
                title={`${label} — ${first?.cwd || 'project root'}${first?.sandboxed ? ' — sandboxed: the project is writable, the rest read-only, secrets hidden' : ''}${first && !first.survivesRestart ? ' — ends when the Wright server stops (no tmux)' : ''}`}
                onClick={() => onLayout({ tabs, active: i })}
                onKeyDown={(e) => e.key === 'Enter' && onLayout({ tabs, active: i })}
                onDoubleClick={() => setRenaming(tab[0]!)}
              >
                {tab.length > 1 ? <Columns2 size={13} /> : first?.sandboxed ? <ShieldCheck size={13} className="sandbox-icon" aria-label="Sandboxed" /> : <SquareTerminal size={13} />}
                {renaming === tab[0] ? (
                  <input
                    className="terminal-rename"
                    aria-label="Terminal name"
                    autoFocus
                    defaultValue={first?.name}
                    onClick={(e) => e.stopPropagation()}
                    onBlur={() => setRenaming(null)}
                    onKeyDown={(e) => {
                      e.stopPropagation();
                      if (e.key === 'Escape') setRenaming(null);
                      if (e.key === 'Enter') {
                        const name = e.currentTarget.value.trim();
                        setRenaming(null);
                        if (name && first) {
                          void renameTerminal(first.id, name).then(() => client.invalidateQueries({ queryKey: terminalsQuery(projectId).queryKey }));
                        }
                      }
                    }}
                  />
                ) : (
                  <span className={ended ? 'terminal-tab-name ended' : 'terminal-tab-name'}>{label}</span>
                )}
                {first && !first.survivesRestart && <AlertTriangle size={12} className="warn-icon" aria-label="Ends with the server" />}
                <button
                  className="icon tab-close"
                  aria-label={`Close ${label}`}
                  title="Close (ends the shell)"
                  onClick={(e) => {
                    e.stopPropagation();
                    tab.forEach((id) => void close(id));
                  }}
                >
                  <X size={13} />
                </button>
              </div>
            );
          })}
        </div>
        <span className="spacer" />
        <button className="icon" aria-label="New terminal" title="New terminal (Ctrl+Shift+`)" onClick={() => void open()}>
          <Plus size={15} />
        </button>
        <button className="icon" aria-label="New sandboxed terminal" title="New sandboxed terminal: the project writable, the rest of the machine read-only, secrets hidden" onClick={() => void open({ sandbox: true })}>
          <ShieldCheck size={15} />
        </button>
        <button className="icon" aria-label="Split terminal" title="Split terminal" disabled={tabs.length === 0} onClick={() => void open({ split: true })}>
          <Columns2 size={15} />
        </button>
        <button className="icon" aria-label="Kill terminal" title="Kill the focused terminal" disabled={!focused} onClick={() => focused && void close(focused)}>
          <Trash2 size={15} />
        </button>
        {actions}
      </header>
      <div className="panel-body">
        {list.isError && (
          <div className="panel-empty" role="alert">
            Terminals could not be listed: {isApiError(list.error) ? list.error.detail : String(list.error)}
          </div>
        )}
        {list.isSuccess && tabs.length === 0 && autoOpened.current && (
          <div className="panel-empty">
            <p>No terminal open.</p>
            <p>
              <button onClick={() => void open()}>
                <Plus size={14} /> New terminal
              </button>{' '}
              <button onClick={() => void open({ sandbox: true })}>
                <ShieldCheck size={14} /> New sandboxed terminal
              </button>
            </p>
          </div>
        )}
        {tabs.map((tab, i) => (
          <div key={tab.join()} className="terminal-tab-body" hidden={i !== active}>
            <Group orientation="horizontal" id={`terminal-split-${tab.join('-')}`}>
              {tab.map((id, j) => {
                const terminal = byId.get(id);
                if (!terminal) return null;
                const code = id in exits ? exits[id] : terminal.status === 'exited' ? terminal.exitCode : undefined;
                return (
                  <FragmentWithSeparator key={id} separator={j > 0}>
                    <Panel id={id} minSize="120px" className="terminal-pane">
                      {!terminal.survivesRestart && !dismissed.has(id) && (
                        <div className="terminal-notice" role="note">
                          <AlertTriangle size={12} /> This terminal runs in the server's own PTY (tmux is not installed): it ends when the Wright server stops.
                          <button className="icon" aria-label="Dismiss" onClick={() => setDismissed((d) => new Set(d).add(id))}>
                            <X size={12} />
                          </button>
                        </div>
                      )}
                      <TerminalView
                        terminal={terminal}
                        projectRoot={projectRoot}
                        theme={theme}
                        focused={visible && i === active && focused === id}
                        onFocus={() => setFocusedId(id)}
                        onOpenFile={onOpenFile}
                        onExit={(c) => onExit(id, c)}
                      />
                      {code !== undefined && (
                        <div className="terminal-exit" role="status">
                          <span>{code === null ? 'The shell ended.' : `The shell exited with code ${code}.`}</span>
                          <button className="icon" onClick={() => void close(id).then(() => open({ split: tab.length > 1, sandbox: terminal.sandboxed }))}>
                            <RotateCcw size={12} /> Restart
                          </button>
                          <button className="icon" onClick={() => void close(id)}>
                            <X size={12} /> Close
                          </button>
                        </div>
                      )}
                    </Panel>
                  </FragmentWithSeparator>
                );
              })}
            </Group>
          </div>
        ))}
      </div>
    </section>
  );
}

function FragmentWithSeparator({ separator, children }: { separator: boolean; children: ReactNode }) {
  return (
    <>
      {separator && <Separator className="resize-handle" />}
      {children}
    </>
  );
}
