import { useCallback } from 'react';
import { X } from 'lucide-react';
import './panel.css';
import { PreviewPanel, type PreviewLayout } from '@/features/previews/components/PreviewPanel';
import { TerminalPanel, type TerminalLayout } from '@/features/terminals/components/TerminalPanel';
import { useWorkbenchStore, type BottomPanelState } from '@/features/workbench/store';

/**
 * The workbench's bottom panel (VS Code's TERMINAL / PORTS area): terminals and the preview,
 * composed here so the two features stay apart. Both stay mounted while hidden, so a terminal
 * keeps its connection and screen when the user switches to the preview and back.
 */
export function BottomPanel({ projectId, projectRoot, onOpenFile }: { projectId: string; projectRoot: string; onOpenFile(path: string, line: number, column: number): void }) {
  const panel = useWorkbenchStore((s) => s.panel);
  const theme = useWorkbenchStore((s) => s.theme);
  const setPanel = useCallback((change: Partial<BottomPanelState>) => useWorkbenchStore.setState((s) => ({ panel: { ...s.panel, ...change } })), []);
  const onTerminals = useCallback((terminals: TerminalLayout) => setPanel({ terminals }), [setPanel]);
  const onPreview = useCallback((preview: PreviewLayout) => setPanel({ preview }), [setPanel]);

  const header = (
    <div className="panel-views" role="tablist" aria-label="Panel">
      {(['terminal', 'preview'] as const).map((view) => (
        <button key={view} role="tab" aria-selected={panel.view === view} className={panel.view === view ? 'panel-view active' : 'panel-view'} onClick={() => setPanel({ view })}>
          {view === 'terminal' ? 'Terminal' : 'Preview'}
        </button>
      ))}
    </div>
  );
  const actions = (
    <>
      <button className="icon" aria-label="Hide panel" title="Hide panel (Ctrl+`)" onClick={() => setPanel({ visible: false })}>
        <X size={15} />
      </button>
    </>
  );

  return (
    <>
      <div className="panel-slot" hidden={panel.view !== 'terminal'}>
        <TerminalPanel
          projectId={projectId}
          projectRoot={projectRoot}
          theme={theme}
          layout={panel.terminals}
          visible={panel.visible && panel.view === 'terminal'}
          onLayout={onTerminals}
          onOpenFile={onOpenFile}
          header={header}
          actions={actions}
        />
      </div>
      <div className="panel-slot" hidden={panel.view !== 'preview'}>
        <PreviewPanel projectId={projectId} layout={panel.preview} visible={panel.visible && panel.view === 'preview'} onLayout={onPreview} header={header} actions={actions} />
      </div>
    </>
  );
}
