import { describe, expect, it } from 'vitest';
import type { FlowGraph } from '../api';
import { autoLayout, changeNodeType, connect, newNode, newNodeId, problemsByNode, renameNode, toCanvas, toGraph } from './graph';

const review: FlowGraph = {
  name: 'review',
  description: 'Ask, draft, test',
  start: 'ask',
  nodes: [
    { id: 'ask', type: 'userInput', prompt: 'What should I build?', output: 'request' },
    { id: 'draft', type: 'llm', model: null, prompt: '{{request}}', tools: true, output: 'draft' },
    { id: 'test', type: 'action', action: 'command', command: 'npm test', output: 'tests' },
    { id: 'ok', type: 'condition', expression: 'tests.exitCode == 0' },
    { id: 'end', type: 'end' },
  ],
  edges: [
    { from: 'ask', to: 'draft' },
    { from: 'draft', to: 'test' },
    { from: 'test', to: 'ok' },
    { from: 'ok', to: 'end', when: 'true' },
    { from: 'ok', to: 'ask', when: 'false' },
  ],
  layout: { ask: { x: 10, y: 20 } },
};

describe('template ↔ canvas', () => {
  it('round-trips a template: nodes, conditional edges and start survive, positions become its layout', () => {
    const canvas = toCanvas(review);
    const back = toGraph({ name: review.name, description: review.description, start: review.start }, canvas.nodes, canvas.edges);
    expect(back.nodes).toEqual(review.nodes);
    expect(back.edges).toEqual(review.edges);
    expect(back.start).toBe('ask');
    expect(back.description).toBe('Ask, draft, test');
    expect(back.layout?.ask).toEqual({ x: 10, y: 20 });
    expect(Object.keys(back.layout ?? {})).toEqual(['ask', 'draft', 'test', 'ok', 'end']);
  });

  it('labels a condition’s edges with the handle they leave from, and marks the start node', () => {
    const canvas = toCanvas(review);
    const fromOk = canvas.edges.filter((e) => e.source === 'ok');
    expect(fromOk.map((e) => [e.target, e.sourceHandle, e.label])).toEqual([
      ['end', 'true', 'true'],
      ['ask', 'false', 'false'],
    ]);
    expect(canvas.nodes.filter((n) => n.data.start).map((n) => n.id)).toEqual(['ask']);
  });

  it('lays out a template without positions in rows by distance from the start', () => {
    const layout = autoLayout({ ...review, layout: null });
    expect(layout.ask!.y).toBeLessThan(layout.draft!.y);
    expect(layout.draft!.y).toBeLessThan(layout.test!.y);
    expect(layout.test!.y).toBeLessThan(layout.ok!.y);
    expect(layout.end!.y).toBeGreaterThan(layout.ok!.y);
    // An unreachable node goes in a row after the rest instead of on top of the start.
    const orphan = autoLayout({ ...review, nodes: [...review.nodes, { id: 'lost', type: 'end' }] });
    expect(orphan.lost!.y).toBeGreaterThan(orphan.end!.y);
    // Two nodes at the same distance sit side by side.
    const fork = autoLayout({ name: 'f', nodes: [{ id: 'a', type: 'condition' }, { id: 'b', type: 'end' }, { id: 'c', type: 'end' }], edges: [{ from: 'a', to: 'b', when: 'true' }, { from: 'a', to: 'c', when: 'false' }] });
    expect(fork.b!.y).toBe(fork.c!.y);
    expect(fork.b!.x).not.toBe(fork.c!.x);
  });

  it('drops fields a node type does not use when saving, and a when on edges that do not leave a condition', () => {
    const canvas = toCanvas({
      name: 'x',
      nodes: [
        { id: 'a', type: 'userInput', prompt: 'p', output: 'o', command: 'stray', tools: true },
        { id: 'b', type: 'end' },
      ],
      edges: [{ from: 'a', to: 'b', when: 'true' }],
    });
    const back = toGraph({ name: 'x' }, canvas.nodes, canvas.edges);
    expect(back.nodes[0]).toEqual({ id: 'a', type: 'userInput', prompt: 'p', output: 'o' });
    expect(back.edges).toEqual([{ from: 'a', to: 'b' }]);
  });

  it('keeps an unknown node type as written so validation can name it', () => {
    const canvas = toCanvas({ name: 'x', nodes: [{ id: 'a', type: 'webhook', prompt: 'kept' }], edges: [] });
    expect(toGraph({ name: 'x' }, canvas.nodes, canvas.edges).nodes[0]).toEqual({ id: 'a', type: 'webhook', prompt: 'kept' });
  });

  it('forgets a start that names a node no longer there', () => {
    const canvas = toCanvas(review);
    const back = toGraph({ name: 'review', start: 'gone' }, canvas.nodes, canvas.edges);
    expect(back.start).toBeUndefined();
  });
});

describe('editing the canvas', () => {
  it('names new nodes after their type without reusing an id', () => {
    expect(newNodeId('llm', ['ask'])).toBe('llm');
    expect(newNodeId('llm', ['llm', 'llm-2'])).toBe('llm-3');
    expect(newNodeId('userInput', ['input'])).toBe('input-2');
    expect(newNode('llm', 'llm-2')).toMatchObject({ type: 'llm', output: 'llm_2', tools: false });
  });

  it('connects by dragging: a condition’s handle becomes when, repeats, self-loops and edges out of an end are refused', () => {
    const { nodes, edges } = toCanvas(review);
    expect(connect(nodes, edges, { source: 'ok', target: 'draft', sourceHandle: 'false' })).toMatchObject({ source: 'ok', target: 'draft', sourceHandle: 'false', label: 'false' });
    expect(connect(nodes, edges, { source: 'ask', target: 'draft' })).toBeNull();
    expect(connect(nodes, edges, { source: 'ask', target: 'ask' })).toBeNull();
    expect(connect(nodes, edges, { source: 'end', target: 'ask' })).toBeNull();
    expect(connect(nodes, edges, { source: 'draft', target: 'end', sourceHandle: 'true' })).toMatchObject({ sourceHandle: null });
  });

  it('renames a node in its edges too', () => {
    const { nodes, edges } = toCanvas(review);
    const renamed = renameNode(nodes, edges, 'ok', 'passed');
    const back = toGraph({ name: 'review', start: 'ask' }, renamed.nodes, renamed.edges);
    expect(back.nodes.map((n) => n.id)).toContain('passed');
    expect(back.edges).toContainEqual({ from: 'test', to: 'passed' });
    expect(back.edges).toContainEqual({ from: 'passed', to: 'end', when: 'true' });
  });

  it('puts each problem on its node, edge problems on the node they leave', () => {
    const map = problemsByNode([
      { code: 'unknown_variable', message: 'x is unknown', nodeId: 'draft' },
      { code: 'unknown_node', message: 'no node zz', edge: { from: 'ok', to: 'zz' } },
      { code: 'unreachable_end', message: 'no end' },
    ]);
    expect(map.get('draft')).toEqual(['x is unknown']);
    expect(map.get('ok')).toEqual(['no node zz']);
    expect(map.size).toBe(2);
    expect(problemsByNode([{ code: 'unreachable_end', message: 'no end' }], 'ask').get('ask')).toEqual(['no end']);
  });
});

describe('changeNodeType', () => {
  const graph: FlowGraph = {
    name: 't',
    nodes: [
      { id: 'ask', type: 'userInput', prompt: 'What?', output: 'request' },
      { id: 'check', type: 'condition', expression: 'request == "yes"' },
      { id: 'draft', type: 'llm', model: 'openai/gpt-4o', prompt: '{{request}}', tools: true, output: 'draft' },
      { id: 'end', type: 'end' },
    ],
    edges: [
      { from: 'ask', to: 'check' },
      { from: 'check', to: 'draft', when: 'true' },
      { from: 'check', to: 'end', when: 'false' },
      { from: 'draft', to: 'end' },
    ],
  };

  it('keeps the id, position and edges, carries shared fields and drops the rest', () => {
    const canvas = toCanvas(graph);
    const changed = changeNodeType(canvas.nodes, canvas.edges, 'draft', 'userInput');
    const node = changed.nodes.find((n) => n.id === 'draft')!;
    expect(node.data.node).toEqual({ id: 'draft', type: 'userInput', prompt: '{{request}}', output: 'draft' });
    expect(node.position).toEqual(canvas.nodes.find((n) => n.id === 'draft')!.position);
    expect(changed.edges).toEqual(canvas.edges);
    const saved = toGraph({ name: 't', start: 'ask' }, changed.nodes, changed.edges);
    expect(saved.nodes.find((n) => n.id === 'draft')).toEqual({ id: 'draft', type: 'userInput', prompt: '{{request}}', output: 'draft' });
    expect(saved.edges).toEqual(graph.edges);
  });

  it('takes the new type defaults and drops a condition branches when it stops being one', () => {
    const canvas = toCanvas(graph);
    const changed = changeNodeType(canvas.nodes, canvas.edges, 'check', 'action');
    expect(changed.nodes.find((n) => n.id === 'check')!.data.node).toEqual({ id: 'check', type: 'action', action: 'command', command: 'echo done', output: 'check' });
    const out = changed.edges.filter((e) => e.source === 'check');
    expect(out.map((e) => [e.id, e.sourceHandle, e.label])).toEqual([
      ['check->draft', null, undefined],
      ['check->end', null, undefined],
    ]);
    expect(toGraph({ name: 't' }, changed.nodes, changed.edges).edges.filter((e) => e.from === 'check')).toEqual([
      { from: 'check', to: 'draft' },
      { from: 'check', to: 'end' },
    ]);
  });

  it('changes nothing for the same type or an unknown node', () => {
    const canvas = toCanvas(graph);
    expect(changeNodeType(canvas.nodes, canvas.edges, 'ask', 'userInput')).toEqual(canvas);
    expect(changeNodeType(canvas.nodes, canvas.edges, 'nope', 'end')).toEqual(canvas);
  });
});
