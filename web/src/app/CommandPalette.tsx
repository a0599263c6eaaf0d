import { useEffect, useMemo, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { allFilesQuery } from '@/features/files/api';
import { useEditorStore } from '@/features/files/lib/editor-store';

export interface Command {
  id: string;
  label: string;
  keys?: string;
  run: () => void;
}

/** Subsequence match with a score that prefers matches in the file name and contiguous runs. */
export function fuzzyScore(query: string, text: string): number | null {
  if (!query) return 0;
  const q = query.toLowerCase();
  const t = text.toLowerCase();
  let score = 0;
  let at = -1;
  let run = 0;
  const nameStart = t.lastIndexOf('/') + 1;
  for (const ch of q) {
    const next = t.indexOf(ch, at + 1);
    if (next < 0) return null;
    run = next === at + 1 ? run + 1 : 0;
    score += 1 + run * 2 + (next >= nameStart ? 2 : 0);
    at = next;
  }
  return score - t.length * 0.01;
}

/** Ctrl+P (files) and Ctrl+Shift+P (commands): one list box filtered as the user types. */
export function CommandPalette({ projectId, mode, commands, onClose }: { projectId: string; mode: 'files' | 'commands'; commands: Command[]; onClose: () => void }) {
  const [text, setText] = useState(mode === 'commands' ? '>' : '');
  const [index, setIndex] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const isCommands = text.startsWith('>');
  const files = useQuery({ ...allFilesQuery(projectId), enabled: !isCommands });
  const open = useEditorStore((s) => s.open);

  useEffect(() => input.current?.focus(), []);

  const items = useMemo(() => {
    const query = isCommands ? text.slice(1).trim() : text.trim();
    const source = isCommands ? commands.map((c) => ({ key: c.id, label: c.label, hint: c.keys ?? '', run: c.run })) : (files.data ?? []).map((p) => ({ key: p, label: p, hint: '', run: () => open(p) }));
    return source
      .map((item) => ({ item, score: fuzzyScore(query, item.label) }))
      .filter((x): x is { item: (typeof source)[number]; score: number } => x.score !== null)
      .sort((a, b) => b.score - a.score)
      .slice(0, 50)
      .map((x) => x.item);
  }, [text, isCommands, commands, files.data, open]);

  const choose = (i: number) => {
    const item = items[i];
    if (!item) return;
    onClose();
    item.run();
  };

  return (
    <div className="palette-backdrop" onMouseDown={onClose}>
      <div className="palette" role="dialog" aria-label={isCommands ? 'Command palette' : 'Go to file'} onMouseDown={(e) => e.stopPropagation()}>
        <input
          ref={input}
          role="combobox"
          aria-expanded
          aria-controls="palette-list"
          aria-label={isCommands ? 'Command' : 'File name'}
          placeholder={isCommands ? 'Type a command' : 'Search files by name (type > for commands)'}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setIndex(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') onClose();
            else if (e.key === 'ArrowDown') setIndex((i) => Math.min(items.length - 1, i + 1));
            else if (e.key === 'ArrowUp') setIndex((i) => Math.max(0, i - 1));
            else if (e.key === 'Enter') choose(index);
            else return;
            e.preventDefault();
          }}
        />
        <ul id="palette-list" role="listbox" aria-label="Results">
          {items.map((item, i) => (
            <li key={item.key} role="option" aria-selected={i === index} className={i === index ? 'selected' : ''} onMouseDown={() => choose(i)}>
              <span>{item.label}</span>
              {item.hint && <kbd>{item.hint}</kbd>}
            </li>
          ))}
          {items.length === 0 && <li className="hint">{files.isPending && !isCommands ? 'Loading files…' : 'No match'}</li>}
        </ul>
      </div>
    </div>
  );
}
