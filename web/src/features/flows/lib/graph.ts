import type { FlowEdge, FlowGraph, FlowNode, FlowNodeType, FlowProblem } from '../api';

/**
 * A template's graph as the editor's canvas holds it, and back. Kept free of React Flow's types
 * (its Node and Edge are structurally the same) so the conversion is tested without a canvas.
 */
export interface CanvasNode {
  id: string;
  type: 'flowNode';
  position: { x: number; y: number };
  data: { node: FlowNode; problems: string[]; start: boolean };
  selected?: boolean;
}

export interface CanvasEdge {
  id: string;
  source: string;
  target: string;
  sourceHandle?: string | null;
  label?: string;
  selected?: boolean;
}

export const nodeTypes: Array<{ type: FlowNodeType; label: string }> = [
  { type: 'userInput', label: 'User input' },
  { type: 'llm', label: 'LLM' },
  { type: 'action', label: 'Action' },
  { type: 'condition', label: 'Condition' },
  { type: 'end', label: 'End' },
];

const idStem: Record<string, string> = { userInput: 'input', llm: 'llm', action: 'action', condition: 'check', end: 'end' };

/** A node id for a new node of `type` that no node in `taken` has: `llm`, then `llm-2`, `llm-3`… */
export function newNodeId(type: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const stem = idStem[type] ?? 'node';
  if (!used.has(stem)) return stem;
  for (let i = 2; ; i++) if (!used.has(`${stem}-${i}`)) return `${stem}-${i}`;
}

/** A new node with the fields its type needs, filled so it validates once connected. */
export function newNode(type: FlowNodeType, id: string): FlowNode {
  switch (type) {
    case 'userInput':
      return { id, type, prompt: 'What next?', output: id.replace(/-/g, '_') };
    case 'llm':
      return { id, type, model: null, prompt: '{{last}}', tools: false, output: id.replace(/-/g, '_') };
    case 'action':
      return { id, type, action: 'command', command: 'echo done', output: id.replace(/-/g, '_') };
    case 'condition':
      return { id, type, expression: 'last == "yes"' };
    default:
      return { id, type };
  }
}

export const edgeId = (e: { from: string; to: string; when?: string | null }) => `${e.from}->${e.to}${e.when ? `:${e.when}` : ''}`;

/**
 * Rows by distance from the start (breadth first), side by side within a row: a readable first
 * layout for templates saved without one. Top to bottom, because the editor area is taller than wide
 * once the side bar and the chat are open.
 */
export function autoLayout(graph: FlowGraph): Record<string, { x: number; y: number }> {
  const start = graph.start ?? graph.nodes[0]?.id;
  const depth = new Map<string, number>();
  if (start) {
    depth.set(start, 0);
    const queue = [start];
    while (queue.length > 0) {
      const id = queue.shift()!;
      for (const edge of graph.edges) {
        if (edge.from === id && !depth.has(edge.to)) {
          depth.set(edge.to, depth.get(id)! + 1);
          queue.push(edge.to);
        }
      }
    }
  }
  const maxDepth = Math.max(-1, ...depth.values());
  const used = new Map<number, number>();
  const layout: Record<string, { x: number; y: number }> = {};
  for (const node of graph.nodes) {
    const row = depth.get(node.id) ?? maxDepth + 1;
    const column = used.get(row) ?? 0;
    used.set(row, column + 1);
    layout[node.id] = { x: column * 240, y: row * 130 };
  }
  return layout;
}

/**
 * Problems per node id; problems on an edge count for the node it leaves, and a template with no
 * way to an end shows on its start node (where the missing path would begin).
 */
export function problemsByNode(problems: FlowProblem[], start: string | null = null): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const problem of problems) {
    const id = problem.nodeId ?? problem.edge?.from ?? (problem.code === 'unreachable_end' ? start : null);
    if (!id) continue;
    map.set(id, [...(map.get(id) ?? []), problem.message]);
  }
  return map;
}

/** The canvas for a template: saved positions where it has them, an automatic layout elsewhere. */
export function toCanvas(graph: FlowGraph, problems: FlowProblem[] = []): { nodes: CanvasNode[]; edges: CanvasEdge[] } {
  const auto = autoLayout(graph);
  const byNode = problemsByNode(problems);
  const start = graph.start ?? graph.nodes[0]?.id;
  const nodes = graph.nodes.map<CanvasNode>((node) => ({
    id: node.id,
    type: 'flowNode',
    position: graph.layout?.[node.id] ?? auto[node.id] ?? { x: 0, y: 0 },
    data: { node, problems: byNode.get(node.id) ?? [], start: node.id === start },
  }));
  const edges = graph.edges.map<CanvasEdge>((edge) => toCanvasEdge(edge));
  return { nodes, edges };
}

export function toCanvasEdge(edge: FlowEdge): CanvasEdge {
  return {
    id: edgeId(edge),
    source: edge.from,
    target: edge.to,
    sourceHandle: edge.when ?? null,
    ...(edge.when ? { label: edge.when } : {}),
  };
}

/** The template the canvas shows: nodes in canvas order, edges with `when` from a condition's true/false handle, positions as its layout. */
export function toGraph(meta: Pick<FlowGraph, 'name' | 'description' | 'start'>, nodes: CanvasNode[], edges: CanvasEdge[]): FlowGraph {
  const types = new Map(nodes.map((n) => [n.id, n.data.node.type]));
  const graph: FlowGraph = {
    name: meta.name,
    ...(meta.description ? { description: meta.description } : {}),
    ...(meta.start && nodes.some((n) => n.id === meta.start) ? { start: meta.start } : {}),
    nodes: nodes.map((n) => clean({ ...n.data.node, id: n.id })),
    edges: edges.map((e) => {
      const when = types.get(e.source) === 'condition' && (e.sourceHandle === 'true' || e.sourceHandle === 'false') ? e.sourceHandle : null;
      return when ? { from: e.source, to: e.target, when } : { from: e.source, to: e.target };
    }),
    layout: Object.fromEntries(nodes.map((n) => [n.id, { x: Math.round(n.position.x), y: Math.round(n.position.y) }])),
  };
  return graph;
}

/** Drops the fields a node's type does not use, so a saved template reads as written. */
function clean(node: FlowNode): FlowNode {
  const keep: Record<string, Array<keyof FlowNode>> = {
    userInput: ['prompt', 'output'],
    llm: ['model', 'prompt', 'tools', 'output'],
    action: node.action === 'edits' ? ['action', 'from', 'output'] : ['action', 'command', 'output'],
    condition: ['expression'],
    end: [],
  };
  const fields = keep[node.type];
  if (!fields) return node;
  const result: FlowNode = { id: node.id, type: node.type };
  for (const field of fields) if (node[field] !== undefined) (result as unknown as Record<string, unknown>)[field] = node[field];
  return result;
}

/** Renames a node everywhere it is named: its id, the edges, the start. */
export function renameNode(nodes: CanvasNode[], edges: CanvasEdge[], from: string, to: string): { nodes: CanvasNode[]; edges: CanvasEdge[] } {
  return {
    nodes: nodes.map((n) => (n.id === from ? { ...n, id: to, data: { ...n.data, node: { ...n.data.node, id: to } } } : n)),
    edges: edges.map((e) => {
      if (e.source !== from && e.target !== from) return e;
      const source = e.source === from ? to : e.source;
      const target = e.target === from ? to : e.target;
      return { ...e, source, target, id: edgeId({ from: source, to: target, when: e.sourceHandle }) };
    }),
  };
}

/** A connection drawn on the canvas, as an edge; null when it would repeat one or leave an `end`. */
export function connect(
  nodes: CanvasNode[],
  edges: CanvasEdge[],
  connection: { source: string; target: string; sourceHandle?: string | null },
): CanvasEdge | null {
  const source = nodes.find((n) => n.id === connection.source);
  if (!source || source.data.node.type === 'end' || connection.source === connection.target) return null;
  const when = source.data.node.type === 'condition' && (connection.sourceHandle === 'true' || connection.sourceHandle === 'false') ? connection.sourceHandle : null;
  const edge = toCanvasEdge({ from: connection.source, to: connection.target, when });
  return edges.some((e) => e.id === edge.id) ? null : edge;
}

/**
 * Changes a node's type in place: it keeps its id, position and edges; the fields both types use
 * (a prompt, an output variable) carry over, the new type's other fields take their defaults and
 * the old type's fields that do not apply are dropped. Edges leaving it lose a condition's
 * true/false branch unless the new type is a condition; what no longer fits (an `end` with edges
 * out, a condition without branches) is left for validation to name on the node.
 */
export function changeNodeType(nodes: CanvasNode[], edges: CanvasEdge[], id: string, type: FlowNodeType): { nodes: CanvasNode[]; edges: CanvasEdge[] } {
  const target = nodes.find((n) => n.id === id);
  if (!target || target.data.node.type === type) return { nodes, edges };
  const old = target.data.node;
  const fresh = newNode(type, id);
  const carried: Partial<FlowNode> = {};
  for (const field of ['prompt', 'output'] as const) {
    if (field in fresh && old[field] != null && old[field] !== '') carried[field] = old[field];
  }
  const node = clean({ ...fresh, ...carried });
  return {
    nodes: nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, node, problems: [] } } : n)),
    edges:
      type === 'condition'
        ? edges
        : edges.map((e) => {
            if (e.source !== id || !e.sourceHandle) return e;
            const { label: _label, ...rest } = e;
            return { ...rest, sourceHandle: null, id: edgeId({ from: e.source, to: e.target }) };
          }),
  };
}
