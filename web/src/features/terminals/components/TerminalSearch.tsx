import { useEffect, useRef, useState } from 'react';
import { ArrowDown, ArrowUp, X } from 'lucide-react';
import type { SearchAddon } from '@xterm/addon-search';

const decorations = {
  matchBackground: '#623315',
  activeMatchBackground: '#a0522d',
  matchOverviewRuler: '#d18616',
  activeMatchColorOverviewRuler: '#ff8c00',
};

/** Find in the terminal's output (Ctrl+F inside a terminal): Enter for the next match, Shift+Enter the previous, Esc closes. */
export function TerminalSearch({ search, onClose }: { search: SearchAddon; onClose(): void }) {
  const [text, setText] = useState('');
  const [result, setResult] = useState<{ index: number; count: number } | null>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    input.current?.focus();
    const sub = search.onDidChangeResults((r) => setResult(r.resultCount > 0 ? { index: r.resultIndex, count: r.resultCount } : { index: -1, count: 0 }));
    return () => {
      sub.dispose();
      search.clearDecorations();
    };
  }, [search]);

  const find = (forward: boolean, term = text) => {
    if (!term) return;
    const options = { decorations, incremental: false };
    if (forward) search.findNext(term, options);
    else search.findPrevious(term, options);
  };

  return (
    <div className="terminal-search" role="search" aria-label="Find in terminal">
      <input
        ref={input}
        value={text}
        placeholder="Find"
        aria-label="Find in terminal"
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value) search.findNext(e.target.value, { decorations, incremental: true });
          else search.clearDecorations();
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') find(!e.shiftKey);
          else if (e.key === 'Escape') onClose();
        }}
      />
      <span className="hint">{result ? (result.count ? `${result.index + 1} of ${result.count}` : 'No results') : ''}</span>
      <button className="icon" aria-label="Previous match" title="Previous match (Shift+Enter)" onClick={() => find(false)}>
        <ArrowUp size={14} />
      </button>
      <button className="icon" aria-label="Next match" title="Next match (Enter)" onClick={() => find(true)}>
        <ArrowDown size={14} />
      </button>
      <button className="icon" aria-label="Close find" title="Close (Escape)" onClick={onClose}>
        <X size={14} />
      </button>
    </div>
  );
}
