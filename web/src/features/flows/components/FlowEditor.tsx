import { useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useEdgesState,
  useNodesState,
  useReactFlow,
  MarkerType,
  type Connection,
  type Edge,
  type NodeTypes,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { CircleAlert, CircleCheck, Code2, LayoutGrid, Loader2, Network, Plus, Save, Trash2, Undo2, Workflow } from 'lucide-react';
import { ErrorText } from '@/components/Dialog';
import { isApiError } from '@/lib/api-error';
import { flowQuery, flowsQuery, saveFlow, validateFlow, type FlowBody, type FlowGraph, type FlowNode, type FlowNodeType, type FlowProblem, type FlowTemplate } from '../api';
import { autoLayout, changeNodeType, connect, newNode, newNodeId, nodeTypes, problemsByNode, renameNode, toCanvas, toGraph, type CanvasEdge, type CanvasNode } from '../lib/graph';
import { FlowNodeCard, ProblemsContext, typeLook, type FlowCanvasNode } from './FlowNodeCard';

const canvasNodeTypes: NodeTypes = { flowNode: FlowNodeCard };

/** The graph a new template starts from: a question and an end, for the user to connect and grow. */
export function starterGraph(name: string): FlowGraph {
  return {
    name,
    nodes: [
      { id: 'ask', type: 'userInput', prompt: 'What should I do?', output: 'request' },
      { id: 'end', type: 'end' },
    ],
    edges: [],
    layout: { ask: { x: 0, y: 0 }, end: { x: 0, y: 260 } },
  };
}

/**
 * The flow editor (`/p/:projectId/flows/:name`): the template as a graph on a canvas (or its YAML),
 * the selected node's fields, validation as the user edits, save. Loaded only when opened.
 */
export default function FlowEditor({ projectId, name, isNew, scope, theme }: { projectId: string; name: string; isNew: boolean; scope: 'project' | 'user'; theme: 'dark' | 'light' }) {
  const template = useQuery({ ...flowQuery(projectId, name), retry: false });
  const missing = isApiError(template.error, 'flow_not_found');
  if (template.isPending) return <div className="flow-editor empty-state" aria-busy="true">Loading {name}…</div>;
  if (template.error && !(missing && isNew)) {
    return (
      <div className="flow-editor empty-state">
        <ErrorText error={template.error} />
        {missing && <p>Create it from the Flows view on the left.</p>}
      </div>
    );
  }
  const initial: FlowTemplate = template.data ?? { name, source: scope, format: 'yaml', text: '', graph: starterGraph(name), problems: [] };
  return (
    <ReactFlowProvider>
      <Editor key={name} projectId={projectId} template={initial} isNew={!template.data} scope={scope} theme={theme} />
    </ReactFlowProvider>
  );
}

function Editor({ projectId, template, isNew, scope, theme }: { projectId: string; template: FlowTemplate; isNew: boolean; scope: 'project' | 'user'; theme: 'dark' | 'light' }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const flow = useReactFlow();
  const first = useMemo(() => toCanvas(template.graph), [template.graph]);
  const [nodes, setNodes, onNodesChange] = useNodesState<FlowCanvasNode>(first.nodes as FlowCanvasNode[]);
  const [edges, setEdges, onEdgesChange] = useEdgesState<Edge>(first.edges as Edge[]);
  const [meta, setMeta] = useState({ name: template.name, description: template.graph.description ?? '', start: template.graph.start ?? null });
  const [mode, setMode] = useState<'graph' | 'yaml'>('graph');
  const [yamlText, setYamlText] = useState('');
  const [yamlError, setYamlError] = useState<string | null>(null);
  const [problems, setProblems] = useState<FlowProblem[]>(template.problems ?? []);
  const [validating, setValidating] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [savedJson, setSavedJson] = useState(() => (isNew ? '' : JSON.stringify(toGraph(meta, first.nodes, first.edges))));
  const [copyName, setCopyName] = useState<string | null>(null);
  const builtin = template.source === 'builtin';

  const graph = useMemo(() => toGraph(meta, nodes as CanvasNode[], edges as CanvasEdge[]), [meta, nodes, edges]);
  const graphJson = JSON.stringify(graph);
  const semantic = JSON.stringify({ ...graph, layout: undefined });
  const [yamlStart, setYamlStart] = useState('');
  const dirty = mode === 'yaml' ? yamlText !== yamlStart || graphJson !== savedJson : graphJson !== savedJson;

  // Validation follows the edits (not the node positions), a moment after the last one.
  const body: FlowBody = mode === 'yaml' ? { text: yamlText, format: 'yaml' } : { graph };
  const bodyKey = mode === 'yaml' ? yamlText : semantic;
  const latestBody = useRef(body);
  latestBody.current = body;
  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setValidating(true);
      validateFlow(projectId, latestBody.current, controller.signal)
        .then((result) => setProblems(result.problems))
        .catch((error: unknown) => {
          if (!controller.signal.aborted) setProblems([{ code: isApiError(error) ? error.code : 'validation_failed', message: isApiError(error) ? error.detail : String(error) }]);
        })
        .finally(() => !controller.signal.aborted && setValidating(false));
    }, 350);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [projectId, bodyKey]);

  const startId = meta.start ?? nodes[0]?.id ?? null;
  const byNode = useMemo(() => problemsByNode(problems, startId), [problems, startId]);
  const selectedNode = nodes.find((n) => n.selected) ?? null;
  const selectedEdge = selectedNode ? null : (edges.find((e) => e.selected) ?? null);

  // Undo (Ctrl+Z, or the toolbar's button) steps back over the graph's structural edits: adding,
  // removing, renaming a node, changing its type, and connecting or disconnecting nodes.
  const [history, setHistory] = useState<Array<{ nodes: FlowCanvasNode[]; edges: Edge[]; meta: typeof meta }>>([]);
  const remember = () => setHistory((past) => [...past.slice(-49), { nodes, edges, meta }]);
  const undo = () => {
    const last = history[history.length - 1];
    if (!last) return;
    setHistory(history.slice(0, -1));
    setNodes(last.nodes);
    setEdges(last.edges);
    setMeta(last.meta);
  };
  const undoRef = useRef(undo);
  undoRef.current = undo;

  const onConnect = (connection: Connection) => {
    const edge = connect(nodes as CanvasNode[], edges as CanvasEdge[], connection);
    if (!edge) return;
    remember();
    setEdges((current) => [...current, edge as Edge]);
  };

  const changeType = (id: string, type: FlowNodeType) => {
    remember();
    const next = changeNodeType(nodes as CanvasNode[], edges as CanvasEdge[], id, type);
    setNodes(next.nodes as FlowCanvasNode[]);
    setEdges(next.edges as Edge[]);
  };

  const addNode = (type: FlowNodeType) => {
    remember();
    const id = newNodeId(type, nodes.map((n) => n.id));
    // Below the selected node (the usual next step), else beside the others.
    const anchor = nodes.find((n) => n.selected);
    const position = anchor
      ? { x: anchor.position.x + 30, y: anchor.position.y + 130 }
      : { x: Math.max(0, ...nodes.map((n) => n.position.x)) + 240, y: Math.min(0, ...nodes.map((n) => n.position.y)) };
    const node: FlowCanvasNode = { id, type: 'flowNode', position, data: { node: newNode(type, id), problems: [], start: false }, selected: true };
    setNodes((current) => [...current.map((n) => ({ ...n, selected: false })), node]);
    setEdges((current) => current.map((e) => ({ ...e, selected: false })));
    // Keep every node in view, the new one included, so it can be connected at once.
    requestAnimationFrame(() => void flow.fitView({ padding: 0.25, maxZoom: 1 }));
  };

  const arrange = () => {
    const layout = autoLayout(graph);
    setNodes((current) => current.map((n) => ({ ...n, position: layout[n.id] ?? n.position })));
    requestAnimationFrame(() => void flow.fitView({ padding: 0.25, maxZoom: 1 }));
  };

  const updateNode = (id: string, change: Partial<FlowNode>) =>
    setNodes((current) => current.map((n) => (n.id === id ? { ...n, data: { ...n.data, node: { ...n.data.node, ...change } } } : n)));

  const rename = (from: string, to: string) => {
    if (!to || to === from || nodes.some((n) => n.id === to)) return false;
    remember();
    const next = renameNode(nodes as CanvasNode[], edges as CanvasEdge[], from, to);
    setNodes(next.nodes as FlowCanvasNode[]);
    setEdges(next.edges as Edge[]);
    if (meta.start === from) setMeta({ ...meta, start: to });
    return true;
  };

  const removeNode = (id: string) => {
    remember();
    setNodes((current) => current.filter((n) => n.id !== id));
    setEdges((current) => current.filter((e) => e.source !== id && e.target !== id));
  };

  // The start badge follows the template's start node.
  useEffect(() => {
    setNodes((current) => (current.some((n) => n.data.start !== (n.id === startId)) ? current.map((n) => ({ ...n, data: { ...n.data, start: n.id === startId } })) : current));
  }, [startId, nodes.length, setNodes]);

  const loadGraph = (next: FlowGraph) => {
    const canvas = toCanvas(next);
    setNodes(canvas.nodes as FlowCanvasNode[]);
    setEdges(canvas.edges as Edge[]);
    setMeta({ name: meta.name, description: next.description ?? '', start: next.start ?? null });
  };

  const switchMode = (next: 'graph' | 'yaml') => {
    if (next === mode) return;
    if (next === 'yaml') {
      // The saved text as written (its comments too) while nothing changed; else the graph as it is now.
      const text = !dirty && !isNew && template.format === 'yaml' && template.text ? template.text : stringifyYaml(graph);
      setYamlText(text);
      setYamlStart(text);
      setYamlError(null);
      setMode('yaml');
      return;
    }
    try {
      const parsed = parseYaml(yamlText) as FlowGraph;
      if (!parsed || typeof parsed !== 'object' || !Array.isArray(parsed.nodes)) throw new Error('The YAML is not a flow: it needs a list of nodes.');
      loadGraph({ ...parsed, name: meta.name, edges: Array.isArray(parsed.edges) ? parsed.edges : [] });
      setYamlError(null);
      setMode('graph');
    } catch (error) {
      setYamlError(error instanceof Error ? error.message : String(error));
    }
  };

  async function save(as?: string) {
    const target = as ?? meta.name;
    setSaving(true);
    setSaveError(null);
    try {
      const saveBody: FlowBody = mode === 'yaml' ? { text: yamlText, format: 'yaml' } : { graph: { ...graph, name: target } };
      const saved = await saveFlow(projectId, target, saveBody, as ? 'project' : template.source === 'user' || (isNew && scope === 'user') ? 'user' : 'project');
      setProblems(saved.problems ?? []);
      client.setQueryData(flowQuery(projectId, target).queryKey, saved);
      void client.invalidateQueries({ queryKey: flowsQuery(projectId).queryKey, exact: true });
      if (as) {
        void navigate(`/p/${projectId}/flows/${encodeURIComponent(target)}`);
      } else if (mode === 'yaml') {
        const canvas = toCanvas(saved.graph);
        loadGraph(saved.graph);
        setSavedJson(JSON.stringify(toGraph({ name: meta.name, description: saved.graph.description ?? '', start: saved.graph.start ?? null }, canvas.nodes, canvas.edges)));
        setMode('graph');
      } else {
        setSavedJson(graphJson);
      }
      if (isNew && !as) void navigate(`/p/${projectId}/flows/${encodeURIComponent(target)}`, { replace: true });
    } catch (error) {
      const returned = isApiError(error) && Array.isArray(error.extensions.problems) ? (error.extensions.problems as FlowProblem[]) : null;
      if (returned) setProblems(returned);
      setSaveError(error);
    } finally {
      setSaving(false);
    }
  }

  // Ctrl+S saves the template while the editor is open.
  const saveRef = useRef(save);
  saveRef.current = save;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's' && !builtin) {
        e.preventDefault();
        void saveRef.current();
      }
      // Ctrl+Z in a text field undoes its typing; elsewhere it undoes the last graph edit.
      const typing = e.target instanceof HTMLElement && e.target.closest('input, textarea, select, [contenteditable="true"]');
      if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === 'z' && !typing && !builtin) {
        e.preventDefault();
        undoRef.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [builtin]);

  const selectNode = (id: string) => {
    setNodes((current) => current.map((n) => ({ ...n, selected: n.id === id })));
    setEdges((current) => current.map((e) => ({ ...e, selected: false })));
  };

  return (
    <section className="flow-editor" aria-label={`Flow ${meta.name}`}>
      <div className="flow-toolbar" role="toolbar" aria-label="Flow editor">
        <Workflow size={14} aria-hidden />
        <span className="flow-title">{meta.name}</span>
        <span className="badge">{isNew ? `new · ${scope}` : template.source}</span>
        {dirty && !builtin && (
          <span className="dirty-dot" title="Unsaved changes" aria-label="Unsaved changes">
            ●
          </span>
        )}
        <span className={problems.length ? 'flow-validity invalid' : 'flow-validity'} role="status" aria-label="Validation">
          {validating ? <Loader2 size={12} className="spin" aria-hidden /> : problems.length ? <CircleAlert size={12} aria-hidden /> : <CircleCheck size={12} aria-hidden />}
          {problems.length ? `${problems.length} problem${problems.length > 1 ? 's' : ''}` : 'valid'}
        </span>
        <span className="flow-toolbar-sep" />
        {mode === 'graph' && !builtin && (
          <div className="flow-add" role="group" aria-label="Add node">
            {nodeTypes.map(({ type, label }) => {
              const Icon = typeLook[type]!.icon;
              return (
                <button key={type} className="icon" onClick={() => addNode(type)} aria-label={`Add ${label} node`} title={`Add a ${label} node`}>
                  <Plus size={10} aria-hidden />
                  <Icon size={14} aria-hidden />
                </button>
              );
            })}
          </div>
        )}
        {mode === 'graph' && !builtin && (
          <button className="icon" onClick={arrange} aria-label="Arrange nodes" title="Arrange the nodes from the start down">
            <LayoutGrid size={14} aria-hidden />
          </button>
        )}
        {mode === 'graph' && !builtin && (
          <button className="icon" onClick={undo} disabled={history.length === 0} aria-label="Undo graph edit" title="Undo the last change to the graph (Ctrl+Z)">
            <Undo2 size={14} aria-hidden />
          </button>
        )}
        <span className="spacer" />
        <div className="segmented" role="radiogroup" aria-label="View">
          <button role="radio" aria-checked={mode === 'graph'} className={mode === 'graph' ? 'on' : ''} onClick={() => switchMode('graph')}>
            <Network size={13} aria-hidden /> Graph
          </button>
          <button role="radio" aria-checked={mode === 'yaml'} className={mode === 'yaml' ? 'on' : ''} onClick={() => switchMode('yaml')}>
            <Code2 size={13} aria-hidden /> YAML
          </button>
        </div>
        {builtin ? (
          copyName === null ? (
            <button onClick={() => setCopyName(`${meta.name}-copy`)}>Save a copy…</button>
          ) : (
            <form
              className="inline-form flow-copy"
              onSubmit={(e) => {
                e.preventDefault();
                void save(copyName);
              }}
            >
              <input aria-label="Name of the copy" value={copyName} onChange={(e) => setCopyName(e.target.value)} autoFocus />
              <button type="submit" className="primary">
                Save copy
              </button>
            </form>
          )
        ) : (
          <button className="primary" onClick={() => void save()} disabled={saving || (!dirty && !isNew)} aria-label="Save flow" title="Save (Ctrl+S)">
            {saving ? <Loader2 size={13} className="spin" aria-hidden /> : <Save size={13} aria-hidden />} Save
          </button>
        )}
      </div>
      {builtin && <p className="flow-banner">Built-in flow — read-only. Save a copy to change it.</p>}
      <ErrorText error={saveError} />
      <div className="flow-editor-body">
        {mode === 'graph' ? (
          <div className="flow-canvas">
            <ProblemsContext.Provider value={byNode}>
              <ReactFlow
                nodes={nodes}
                edges={edges.map((e) => (problems.some((p) => p.edge?.from === e.source && p.edge.to === e.target) ? { ...e, className: 'invalid' } : e))}
                nodeTypes={canvasNodeTypes}
                onNodesChange={builtin ? undefined : onNodesChange}
                onEdgesChange={builtin ? undefined : onEdgesChange}
                onConnect={builtin ? undefined : onConnect}
                onNodeClick={(_, node) => builtin && selectNode(node.id)}
                nodesDraggable={!builtin}
                nodesConnectable={!builtin}
                deleteKeyCode={builtin ? null : ['Delete', 'Backspace']}
                colorMode={theme}
                fitView
                fitViewOptions={{ padding: 0.25, maxZoom: 1 }}
                proOptions={{ hideAttribution: true }}
                defaultEdgeOptions={{ type: 'smoothstep', markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 } }}
              >
                <Background gap={16} size={1} />
                <Controls showInteractive={false} />
                <MiniMap pannable zoomable ariaLabel="Flow overview" style={{ width: 150, height: 96 }} />
              </ReactFlow>
            </ProblemsContext.Provider>
          </div>
        ) : (
          <div className="flow-yaml">
            <textarea aria-label="Flow YAML" spellCheck={false} value={yamlText} onChange={(e) => setYamlText(e.target.value)} readOnly={builtin} />
            {yamlError && (
              <p className="form-error" role="alert">
                {yamlError}
              </p>
            )}
          </div>
        )}
        <aside className="flow-properties" aria-label="Properties">
          {mode === 'graph' && selectedNode ? (
            <NodeFields
              key={selectedNode.id}
              node={selectedNode.data.node}
              nodes={nodes.map((n) => n.id)}
              edges={(edges as CanvasEdge[]).filter((e) => e.source === selectedNode.id)}
              isStart={startId === selectedNode.id}
              readOnly={builtin}
              problems={byNode.get(selectedNode.id) ?? []}
              onChange={(change) => updateNode(selectedNode.id, change)}
              onType={(type) => changeType(selectedNode.id, type)}
              onRename={(to) => rename(selectedNode.id, to)}
              onStart={() => setMeta({ ...meta, start: selectedNode.id })}
              onDelete={() => removeNode(selectedNode.id)}
              onConnect={(to, when) => onConnect({ source: selectedNode.id, target: to, sourceHandle: when ?? null, targetHandle: null })}
              onDisconnect={(id) => {
                remember();
                setEdges((current) => current.filter((e) => e.id !== id));
              }}
            />
          ) : mode === 'graph' && selectedEdge ? (
            <div className="flow-fields">
              <h3>Edge</h3>
              <p className="mono">
                {selectedEdge.source} → {selectedEdge.target}
                {selectedEdge.sourceHandle ? ` (when ${selectedEdge.sourceHandle})` : ''}
              </p>
              {!builtin && (
                <button className="danger" onClick={() => setEdges((current) => current.filter((e) => e.id !== selectedEdge.id))}>
                  <Trash2 size={13} aria-hidden /> Delete edge
                </button>
              )}
            </div>
          ) : (
            <div className="flow-fields">
              <h3>Flow</h3>
              <label>
                Name
                <input value={meta.name} readOnly aria-label="Flow name" />
              </label>
              <label>
                Description
                <input value={meta.description} readOnly={builtin} onChange={(e) => setMeta({ ...meta, description: e.target.value })} aria-label="Description" />
              </label>
              <label>
                Start node
                <select value={startId ?? ''} disabled={builtin} onChange={(e) => setMeta({ ...meta, start: e.target.value || null })} aria-label="Start node">
                  {nodes.map((n) => (
                    <option key={n.id} value={n.id}>
                      {n.id}
                    </option>
                  ))}
                </select>
              </label>
              <p className="hint">Select a node to edit it. Drag from a node's lower handle to another node's upper one to connect them; a condition has a true and a false handle. Delete removes the selection.</p>
            </div>
          )}
        </aside>
      </div>
      <ProblemList problems={problems} start={startId} onSelect={(id) => (mode === 'graph' ? selectNode(id) : undefined)} />
    </section>
  );
}

function ProblemList({ problems, start, onSelect }: { problems: FlowProblem[]; start: string | null; onSelect: (nodeId: string) => void }) {
  if (problems.length === 0) return null;
  return (
    <ul className="flow-problems" aria-label="Problems">
      {problems.map((p, i) => {
        const target = p.nodeId ?? p.edge?.from ?? (p.code === 'unreachable_end' ? start : null);
        return (
          <li key={`${p.code}-${i}`}>
            <button className="flow-problem" onClick={() => target && onSelect(target)} disabled={!target}>
              <CircleAlert size={12} aria-hidden className="flow-problem-icon" />
              <span>{p.message}</span>
              {target && <span className="mono hint">{p.edge ? `${p.edge.from} → ${p.edge.to}` : target}</span>}
              <span className="error-code">{p.code}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}

function NodeFields({
  node,
  nodes,
  edges,
  isStart,
  readOnly,
  problems,
  onChange,
  onType,
  onRename,
  onStart,
  onDelete,
  onConnect,
  onDisconnect,
}: {
  node: FlowNode;
  nodes: string[];
  edges: CanvasEdge[];
  isStart: boolean;
  readOnly: boolean;
  problems: string[];
  onChange: (change: Partial<FlowNode>) => void;
  onType: (type: FlowNodeType) => void;
  onRename: (to: string) => boolean;
  onStart: () => void;
  onDelete: () => void;
  onConnect: (to: string, when?: 'true' | 'false') => void;
  onDisconnect: (edgeId: string) => void;
}) {
  const [id, setId] = useState(node.id);
  const [target, setTarget] = useState('');
  const [when, setWhen] = useState<'true' | 'false'>('true');
  const look = typeLook[node.type];
  const text = (field: keyof FlowNode, label: string, options: { multiline?: boolean; placeholder?: string; mono?: boolean } = {}) => {
    const value = (node[field] as string | null | undefined) ?? '';
    const common = {
      'aria-label': label,
      value,
      readOnly,
      placeholder: options.placeholder,
      className: options.mono ? 'mono' : undefined,
      onChange: (e: { target: { value: string } }) => onChange({ [field]: field === 'model' && e.target.value === '' ? null : e.target.value }),
    };
    return (
      <label>
        {label}
        {options.multiline ? <textarea rows={4} {...common} /> : <input {...common} />}
      </label>
    );
  };
  return (
    <div className="flow-fields">
      <h3>
        {look?.label ?? node.type} node {isStart && <span className="badge">start</span>}
      </h3>
      {problems.map((p) => (
        <p key={p} className="form-error">
          {p}
        </p>
      ))}
      <label>
        Id
        <input
          aria-label="Node id"
          value={id}
          readOnly={readOnly}
          onChange={(e) => setId(e.target.value)}
          onBlur={() => (onRename(id.trim()) ? undefined : setId(node.id))}
          onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
        />
      </label>
      <label>
        Type
        <select aria-label="Node type" value={node.type} disabled={readOnly} onChange={(e) => onType(e.target.value as FlowNodeType)}>
          {nodeTypes.map(({ type, label }) => (
            <option key={type} value={type}>
              {label}
            </option>
          ))}
        </select>
      </label>
      {node.type === 'userInput' && (
        <>
          {text('prompt', 'Prompt', { multiline: true, placeholder: 'What the user is asked' })}
          {text('output', 'Output variable', { mono: true })}
        </>
      )}
      {node.type === 'llm' && (
        <>
          {text('model', 'Model', { placeholder: "the session's model", mono: true })}
          {text('prompt', 'Prompt', { multiline: true, mono: true, placeholder: '{{request}}' })}
          <label className="checkbox">
            <input type="checkbox" checked={node.tools === true} disabled={readOnly} onChange={(e) => onChange({ tools: e.target.checked })} /> Tools (edit files, run commands)
          </label>
          {text('output', 'Output variable', { mono: true })}
        </>
      )}
      {node.type === 'action' && (
        <>
          <label>
            Action
            <select aria-label="Action" value={node.action ?? 'command'} disabled={readOnly} onChange={(e) => onChange({ action: e.target.value })}>
              <option value="command">Run a command</option>
              <option value="edits">Apply edits from a variable</option>
            </select>
          </label>
          {node.action === 'edits' ? text('from', 'Edits from variable', { mono: true }) : text('command', 'Command', { mono: true, placeholder: 'npm test' })}
          {text('output', 'Output variable', { mono: true })}
        </>
      )}
      {node.type === 'condition' && text('expression', 'Expression', { mono: true, placeholder: 'tests.exitCode == 0' })}
      <h3>Next</h3>
      <ul className="flow-next" aria-label="Outgoing edges">
        {edges.map((e) => (
          <li key={e.id}>
            <span className="mono">
              → {e.target}
              {e.sourceHandle ? ` (${e.sourceHandle})` : ''}
            </span>
            {!readOnly && (
              <button className="icon" aria-label={`Remove edge to ${e.target}`} onClick={() => onDisconnect(e.id)}>
                <Trash2 size={12} />
              </button>
            )}
          </li>
        ))}
        {edges.length === 0 && <li className="hint">{node.type === 'end' ? 'An end node has no next node.' : 'Not connected yet.'}</li>}
      </ul>
      {!readOnly && node.type !== 'end' && (
        <div className="inline-form">
          <select aria-label="Connect to" value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value="">Connect to…</option>
            {nodes
              .filter((n) => n !== node.id)
              .map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
          </select>
          {node.type === 'condition' && (
            <select aria-label="When" value={when} onChange={(e) => setWhen(e.target.value as 'true' | 'false')}>
              <option value="true">true</option>
              <option value="false">false</option>
            </select>
          )}
          <button
            disabled={!target}
            onClick={() => {
              onConnect(target, node.type === 'condition' ? when : undefined);
              setTarget('');
            }}
          >
            Connect
          </button>
        </div>
      )}
      {!readOnly && (
        <div className="flow-node-actions">
          <button onClick={onStart} disabled={isStart}>
            Make start
          </button>
          <button className="danger" onClick={onDelete}>
            <Trash2 size={13} aria-hidden /> Delete node
          </button>
        </div>
      )}
    </div>
  );
}
