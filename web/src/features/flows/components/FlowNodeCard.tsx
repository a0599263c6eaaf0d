import { createContext, useContext } from 'react';
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { Bot, CircleAlert, Flag, GitFork, Keyboard, SquareTerminal, type LucideIcon } from 'lucide-react';
import type { FlowNode } from '../api';

export type FlowCanvasNode = Node<{ node: FlowNode; problems: string[]; start: boolean }, 'flowNode'>;

/** Each node's problems from the latest validation, by node id (kept out of node data so validating does not rebuild the canvas). */
export const ProblemsContext = createContext<Map<string, string[]>>(new Map());

export const typeLook: Record<string, { label: string; icon: LucideIcon }> = {
  userInput: { label: 'User input', icon: Keyboard },
  llm: { label: 'LLM', icon: Bot },
  action: { label: 'Action', icon: SquareTerminal },
  condition: { label: 'Condition', icon: GitFork },
  end: { label: 'End', icon: Flag },
};

/** One line that says what a node does. */
export function nodeSummary(node: FlowNode): string {
  switch (node.type) {
    case 'userInput':
      return `${node.prompt ?? ''}${node.output ? ` → ${node.output}` : ''}`;
    case 'llm':
      return `${node.tools ? 'with tools · ' : ''}${node.prompt ?? ''}${node.output ? ` → ${node.output}` : ''}`;
    case 'action':
      return node.action === 'edits' ? `apply edits from ${node.from ?? '?'}` : `$ ${node.command ?? ''}`;
    case 'condition':
      return node.expression ?? '';
    case 'end':
      return 'the run ends';
    default:
      return `unknown type "${node.type}"`;
  }
}

/** A node on the canvas: its type, id and what it does; a red outline and the messages when validation names it. */
export function FlowNodeCard({ id, data, selected }: NodeProps<FlowCanvasNode>) {
  const problems = useContext(ProblemsContext).get(id) ?? [];
  const type = data.node.type;
  const look = typeLook[type] ?? { label: type, icon: CircleAlert };
  const Icon = look.icon;
  const classes = ['flow-node', `flow-node-${type}`, problems.length ? 'invalid' : '', selected ? 'selected' : ''].filter(Boolean).join(' ');
  return (
    <div className={classes} role="group" aria-label={`Node ${id}`} aria-invalid={problems.length > 0}>
      <Handle type="target" position={Position.Top} aria-label={`${id} in`} />
      <header className="flow-node-head">
        <Icon size={13} aria-hidden />
        <span className="flow-node-type">{look.label}</span>
        {data.start && <span className="badge">start</span>}
      </header>
      <div className="flow-node-id">{id}</div>
      <div className="flow-node-summary">{nodeSummary(data.node)}</div>
      {problems.map((p) => (
        <p key={p} className="flow-node-problem">
          <CircleAlert size={11} aria-hidden /> {p}
        </p>
      ))}
      {type === 'condition' ? (
        <>
          <Handle type="source" id="true" position={Position.Bottom} style={{ left: '30%' }} aria-label={`${id} true`} />
          <span className="flow-handle-label" style={{ left: 'calc(30% + 8px)' }}>
            true
          </span>
          <Handle type="source" id="false" position={Position.Bottom} style={{ left: '70%' }} aria-label={`${id} false`} />
          <span className="flow-handle-label" style={{ left: 'calc(70% + 8px)' }}>
            false
          </span>
        </>
      ) : (
        type !== 'end' && <Handle type="source" position={Position.Bottom} aria-label={`${id} out`} />
      )}
    </div>
  );
}
