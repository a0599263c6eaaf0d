import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { useMatch, useNavigate, useParams, useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Group, Panel, Separator } from 'react-resizable-panels';
import { Activity, AppWindow, Files, GitBranch, History, MessageSquare, Search, Settings, SquareTerminal, Workflow } from 'lucide-react';
import { useProject } from '@/features/projects/api';
import { FileTree } from '@/features/files/components/FileTree';
import { EditorArea } from '@/features/files/components/EditorArea';
import { SearchPanel } from '@/features/files/components/SearchPanel';
import { revealLine, setDocumentsProject } from '@/features/files/lib/documents';
import { savedGroups, sameGroups, useEditorStore } from '@/features/files/lib/editor-store';
import { decorationsOf, gitStatusQuery } from '@/features/git/api';
import { HistoryPanel } from '@/features/git/components/HistoryPanel';
import { ChatPanel } from '@/features/sessions/components/ChatPanel';
import { useAnswerStore } from '@/features/sessions/lib/answer-store';
import { useWorkbenchStore, type SideView } from '@/features/workbench/store';
import { FlowChatBar, FlowTranscript, useFlowPlaceholder, useFlowPromptRoute, useFlowTranscriptShown } from '@/features/flows/components/FlowChat';
import { FlowsPanel } from '@/features/flows/components/FlowsPanel';
import { useWorkbenchPersistence } from '@/features/workbench/useWorkbenchPersistence';
import { Link } from 'react-router';
import { useProjectEvents, useResyncOnCheckout } from '../useProjectEvents';
import { CommandPalette, type Command } from '../CommandPalette';
import { StatusBar } from '../StatusBar';
import { BottomPanel } from '../BottomPanel';

const FlowEditor = lazy(() => import('@/features/flows/components/FlowEditor'));
const RunInspector = lazy(() => import('@/features/flows/components/RunInspector'));

const views: Array<{ id: SideView; label: string; icon: typeof Files }> = [
  { id: 'explorer', label: 'Explorer', icon: Files },
  { id: 'search', label: 'Search', icon: Search },
  { id: 'history', label: 'History', icon: History },
  { id: 'flows', label: 'Flows', icon: Workflow },
];

/** The workspace (`/p/:projectId`): activity bar, side bar, editor, chat and status bar, all restorable. */
export default function WorkspaceRoute() {
  const { projectId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const initialPrompt = params.get('prompt');
  const clearInitialPrompt = useCallback(() => setParams((p) => { p.delete('prompt'); return p; }, { replace: true }), [setParams]);
  const project = useProject(projectId);
  const wb = useWorkbenchStore();
  const connected = useProjectEvents(projectId);
  const status = useQuery(gitStatusQuery(projectId));
  const decorations = useMemo(() => decorationsOf(status.data), [status.data]);
  const [palette, setPalette] = useState<'files' | 'commands' | null>(null);
  const navigate = useNavigate();
  const flowMatch = useMatch('/p/:projectId/flows/:flowName?');
  const runMatch = useMatch('/p/:projectId/flow-runs/:runId');
  const flowName = flowMatch?.params.flowName ?? null;
  const flowRoute = useFlowPromptRoute(projectId, wb.sessionId);
  const flowPlaceholder = useFlowPlaceholder(wb.sessionId);
  const flowShown = useFlowTranscriptShown(projectId, wb.sessionId);

  useMemo(() => setDocumentsProject(projectId), [projectId]);
  useResyncOnCheckout(projectId, status.data?.head ?? null);
  useWorkbenchPersistence(projectId);

  // Restored tabs open in the editor; the editor's tabs are saved with the workbench.
  useEffect(() => {
    if (!wb.restored) return;
    const editor = useEditorStore.getState();
    if (editor.tabs.length === 0 && wb.groups.some((g) => g.tabs.length > 0)) editor.setGroups(wb.groups, wb.activeGroup);
    else if (editor.tabs.length === 0 && wb.tabs.length > 0) editor.setTabs(wb.tabs, wb.active);
    const session = params.get('session');
    if (session) useWorkbenchStore.setState({ sessionId: session, chatVisible: true });
    // A commit link (from the agent board) opens History on that commit.
    if (params.get('commit')) useWorkbenchStore.setState({ sideView: 'history', sideVisible: true });
    const file = params.get('file');
    if (file) {
      editor.open(file);
      const line = Number(params.get('line'));
      if (line > 0) revealLine(file, line);
    }
    return useEditorStore.subscribe((s) => {
      const current = useWorkbenchStore.getState();
      const saved = savedGroups(s);
      if (current.tabs !== s.tabs || current.active !== s.active || !sameGroups(current.groups, saved.groups) || current.activeGroup !== saved.activeGroup) {
        const viewStates = Object.fromEntries(Object.entries(current.viewStates).filter(([path]) => s.tabs.includes(path)));
        useWorkbenchStore.setState({ tabs: s.tabs, active: s.active, groups: saved.groups, activeGroup: saved.activeGroup, viewStates });
      }
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [wb.restored, projectId]);

  const onViewState = useCallback((path: string, state: unknown) => {
    useWorkbenchStore.setState((s) => ({ viewStates: { ...s.viewStates, [path]: state } }));
  }, []);
  const onSessionChange = useCallback((id: string | null) => useWorkbenchStore.setState({ sessionId: id }), []);
  const showPanel = useCallback((view?: 'terminal' | 'preview') => useWorkbenchStore.setState((s) => ({ panel: { ...s.panel, visible: true, view: view ?? s.panel.view } })), []);
  const togglePanel = useCallback(() => useWorkbenchStore.setState((s) => ({ panel: { ...s.panel, visible: !s.panel.visible } })), []);
  const onOpenFile = useCallback((path: string, line: number, column: number) => {
    useEditorStore.getState().open(path);
    revealLine(path, line, column);
  }, []);

  const commands: Command[] = [
    { id: 'quick-open', label: 'Go to file…', keys: 'Ctrl+P', run: () => setPalette('files') },
    { id: 'explorer', label: 'View: Explorer', run: () => wb.set({ sideView: 'explorer', sideVisible: true }) },
    { id: 'search', label: 'View: Search', keys: 'Ctrl+Shift+F', run: () => wb.set({ sideView: 'search', sideVisible: true }) },
    { id: 'history', label: 'View: History', run: () => wb.set({ sideView: 'history', sideVisible: true }) },
    { id: 'flows', label: 'View: Flows', run: () => wb.set({ sideView: 'flows', sideVisible: true }) },
    { id: 'flow-editor', label: 'Flows: Open the flow editor', run: () => { wb.set({ sideView: 'flows', sideVisible: true }); void navigate(`/p/${projectId}/flows`); } },
    { id: 'close-flows', label: 'Flows: Back to the files', run: () => void navigate(`/p/${projectId}`) },
    { id: 'toggle-side', label: 'View: Toggle side bar', keys: 'Ctrl+B', run: () => wb.set({ sideVisible: !useWorkbenchStore.getState().sideVisible }) },
    { id: 'toggle-chat', label: 'View: Toggle chat', keys: 'Ctrl+Alt+B', run: () => wb.set({ chatVisible: !useWorkbenchStore.getState().chatVisible }) },
    { id: 'toggle-panel', label: 'View: Toggle panel', keys: 'Ctrl+`', run: togglePanel },
    { id: 'terminal', label: 'Terminal: Show terminals', run: () => showPanel('terminal') },
    { id: 'preview', label: 'Preview: Show the running app', run: () => showPanel('preview') },
    { id: 'split', label: 'View: Split editor', keys: 'Ctrl+\\', run: () => useEditorStore.getState().split() },
    { id: 'move-next', label: 'View: Move editor into next group', keys: 'Ctrl+Alt+→', run: () => moveActiveEditor(1) },
    { id: 'move-previous', label: 'View: Move editor into previous group', keys: 'Ctrl+Alt+←', run: () => moveActiveEditor(-1) },
    { id: 'focus-next-group', label: 'View: Focus next editor group', keys: 'Ctrl+K Ctrl+→', run: () => focusGroupBy(1) },
    { id: 'theme', label: 'Preferences: Toggle light/dark theme', run: () => wb.setTheme(useWorkbenchStore.getState().theme === 'dark' ? 'light' : 'dark') },
  ];

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.shiftKey && e.key.toLowerCase() === 'p') {
        e.preventDefault();
        setPalette('commands');
      } else if (mod && !e.shiftKey && e.key.toLowerCase() === 'p') {
        e.preventDefault();
        setPalette('files');
      } else if (mod && e.shiftKey && e.key.toLowerCase() === 'f') {
        e.preventDefault();
        useWorkbenchStore.setState({ sideView: 'search', sideVisible: true });
      } else if (mod && !e.altKey && e.key.toLowerCase() === 'b') {
        e.preventDefault();
        useWorkbenchStore.setState((s) => ({ sideVisible: !s.sideVisible }));
      } else if (e.ctrlKey && (e.key === '`' || e.code === 'Backquote')) {
        e.preventDefault();
        useWorkbenchStore.setState((s) => ({ panel: { ...s.panel, visible: !s.panel.visible, view: 'terminal' } }));
      } else if (mod && !e.shiftKey && !e.altKey && (e.key === '\\' || e.code === 'Backslash')) {
        e.preventDefault();
        useEditorStore.getState().split();
      } else if (e.ctrlKey && e.altKey && (e.key === 'ArrowRight' || e.key === 'ArrowLeft')) {
        e.preventDefault();
        moveActiveEditor(e.key === 'ArrowRight' ? 1 : -1);
      } else if (mod && e.key.toLowerCase() === 's') {
        // Ctrl+S outside Monaco must not open the browser's "save page".
        e.preventDefault();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // Leaving with unsaved edits asks first (they are also kept in the browser for the next visit).
  useEffect(() => {
    const onLeave = (e: BeforeUnloadEvent) => {
      if (Object.values(useEditorStore.getState().docs).some((d) => d.dirty)) e.preventDefault();
    };
    window.addEventListener('beforeunload', onLeave);
    return () => window.removeEventListener('beforeunload', onLeave);
  }, []);

  const answering = useAnswerStore((s) => !!s.streaming);
  if (!wb.restored) return <div className="splash" aria-busy="true" />;

  return (
    <div className="workspace">
      <nav className="activity-bar" aria-label="Views">
        <Link to="/" className="activity-home" aria-label="All projects" title="All projects">
          <img src="/favicon.svg" alt="" width={22} height={22} />
        </Link>
        {views.map(({ id, label, icon: Icon }) => (
          <button
            key={id}
            className={wb.sideView === id && wb.sideVisible ? 'activity active' : 'activity'}
            aria-label={label}
            aria-pressed={wb.sideView === id && wb.sideVisible}
            title={label}
            onClick={() => wb.toggleSideView(id)}
          >
            <Icon size={22} strokeWidth={1.5} />
          </button>
        ))}
        <button className={wb.chatVisible ? 'activity active' : 'activity'} aria-label="Chat" aria-pressed={wb.chatVisible} title="Chat" onClick={() => wb.set({ chatVisible: !wb.chatVisible })}>
          <MessageSquare size={22} strokeWidth={1.5} />
        </button>
        <button className={wb.panel.visible && wb.panel.view === 'terminal' ? 'activity active' : 'activity'} aria-label="Terminal" aria-pressed={wb.panel.visible && wb.panel.view === 'terminal'} title="Terminal (Ctrl+`)" onClick={() => (wb.panel.visible && wb.panel.view === 'terminal' ? togglePanel() : showPanel('terminal'))}>
          <SquareTerminal size={22} strokeWidth={1.5} />
        </button>
        <button className={wb.panel.visible && wb.panel.view === 'preview' ? 'activity active' : 'activity'} aria-label="Preview" aria-pressed={wb.panel.visible && wb.panel.view === 'preview'} title="Preview" onClick={() => (wb.panel.visible && wb.panel.view === 'preview' ? togglePanel() : showPanel('preview'))}>
          <AppWindow size={22} strokeWidth={1.5} />
        </button>
        <Link to="/agents" className="activity" aria-label="Agents" title="Agents: every coding agent, live">
          <Activity size={22} strokeWidth={1.5} />
        </Link>
        <span className="spacer" />
        <Link to="/settings" className="activity" aria-label="Settings" title="Settings">
          <Settings size={22} strokeWidth={1.5} />
        </Link>
      </nav>
      <Group
        orientation="horizontal"
        className="workspace-panels"
        id={`workspace-${wb.sideVisible ? 's' : ''}${wb.chatVisible ? 'c' : ''}`}
        {...(layoutFits(wb.layout, wb.sideVisible, wb.chatVisible) ? { defaultLayout: wb.layout! } : {})}
        onLayoutChanged={(layout) => useWorkbenchStore.setState({ layout })}
      >
        {wb.sideVisible && (
          <>
            <Panel id="side" defaultSize="20%" minSize="140px" className="side-bar">
              <header className="side-title">
                {views.find((v) => v.id === wb.sideView)?.label}
                <span className="side-project" title={project.data?.path}>
                  {project.data?.name}
                </span>
              </header>
              {wb.sideView === 'explorer' && (
                <FileTree projectId={projectId} decorations={decorations} expanded={wb.expanded} onExpandedChange={(expanded) => wb.set({ expanded })} />
              )}
              {wb.sideView === 'history' && <HistoryPanel projectId={projectId} openCommit={params.get('commit')} onOpenFile={(path) => useEditorStore.getState().open(path)} />}
              {wb.sideView === 'search' && <SearchPanel projectId={projectId} />}
              {wb.sideView === 'flows' && <FlowsPanel projectId={projectId} sessionId={wb.sessionId} openFlow={flowName} />}
            </Panel>
            <Separator className="resize-handle" />
          </>
        )}
        <Panel id="editor" minSize="200px" className="editor-panel">
          <Group
            orientation="vertical"
            id={`editor-column-${wb.panel.visible ? 'p' : ''}`}
            onLayoutChanged={(layout) => {
              const size = layout.panel;
              if (size !== undefined && Math.abs(size - useWorkbenchStore.getState().panel.size) > 0.5) {
                useWorkbenchStore.setState((s) => ({ panel: { ...s.panel, size } }));
              }
            }}
          >
            <Panel id="editor-main" minSize="80px" className="editor-main">
              {flowMatch || runMatch ? (
                <Suspense fallback={<div className="editor-empty" aria-busy="true" />}>
                  {runMatch ? (
                    <RunInspector projectId={projectId} runId={runMatch.params.runId ?? ''} />
                  ) : flowName ? (
                    <FlowEditor key={flowName} projectId={projectId} name={flowName} isNew={!!params.get('new')} scope={params.get('new') === 'user' ? 'user' : 'project'} theme={wb.theme} />
                  ) : (
                    <div className="editor-empty">
                      <p>Choose a flow in the Flows view, or create one with +.</p>
                      <p>
                        <Link to={`/p/${projectId}`}>Back to the files</Link>
                      </p>
                    </div>
                  )}
                </Suspense>
              ) : (
                <EditorArea projectId={projectId} theme={wb.theme} viewStates={wb.viewStates} onViewState={onViewState} />
              )}
            </Panel>
            {wb.panel.visible && (
              <>
                <Separator className="resize-handle horizontal" />
                <Panel id="panel" defaultSize={`${wb.panel.size}%`} minSize="90px" className="panel-container">
                  <BottomPanel projectId={projectId} projectRoot={project.data?.path ?? ''} onOpenFile={onOpenFile} />
                </Panel>
              </>
            )}
          </Group>
        </Panel>
        {wb.chatVisible && (
          <>
            <Separator className="resize-handle" />
            <Panel id="chat" defaultSize="28%" minSize="240px" className="chat-side">
              <ChatPanel
                projectId={projectId}
                sessionId={wb.sessionId}
                onSessionChange={onSessionChange}
                initialPrompt={initialPrompt}
                onInitialPromptSent={clearInitialPrompt}
                extension={{
                  bar: <FlowChatBar projectId={projectId} sessionId={wb.sessionId} />,
                  after: <FlowTranscript projectId={projectId} sessionId={wb.sessionId} />,
                  afterShown: flowShown,
                  placeholder: flowPlaceholder,
                  route: flowRoute,
                }}
              />
            </Panel>
          </>
        )}
      </Group>
      <StatusBar
        project={project.data?.name ?? ''}
        branch={status.data?.branch ?? null}
        head={status.data?.head ?? null}
        connected={connected}
        answering={answering}
        icon={GitBranch}
      />
      {palette && <CommandPalette projectId={projectId} mode={palette} commands={commands} onClose={() => setPalette(null)} />}
    </div>
  );
}

/** A saved layout applies only to the same set of panels. */
function layoutFits(layout: Record<string, number> | null, side: boolean, chat: boolean): boolean {
  if (!layout) return false;
  const ids = [...(side ? ['side'] : []), 'editor', ...(chat ? ['chat'] : [])];
  const keys = Object.keys(layout);
  return keys.length === ids.length && ids.every((id) => id in layout);
}

/** Moves the focused group's file to the group beside it (a new group past the last one). */
function moveActiveEditor(step: 1 | -1) {
  const { groups, activeGroup, moveTab } = useEditorStore.getState();
  const index = groups.findIndex((g) => g.id === activeGroup);
  const path = groups[index]?.active;
  if (!path) return;
  const target = groups[index + step];
  if (target) moveTab(path, activeGroup, target.id);
  else if (step === 1 && groups[index]!.tabs.length > 1) moveTab(path, activeGroup, 'new');
}

function focusGroupBy(step: 1 | -1) {
  const { groups, activeGroup, focusGroup } = useEditorStore.getState();
  const index = groups.findIndex((g) => g.id === activeGroup);
  const target = groups[(index + step + groups.length) % groups.length];
  if (!target) return;
  focusGroup(target.id);
  requestAnimationFrame(() => document.querySelectorAll<HTMLElement>('.editor-group')[groups.indexOf(target)]?.querySelector<HTMLElement>('textarea, [role="tab"][tabindex="0"]')?.focus());
}
