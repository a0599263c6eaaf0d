import { useDeferredValue, useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { CaseSensitive, Regex, WholeWord } from 'lucide-react';
import { ErrorText } from '@/components/Dialog';
import { searchQuery, type SearchHit } from '../api';
import { useEditorStore } from '../lib/editor-store';
import { revealLine } from '../lib/documents';

/** Project-wide text search; each hit opens its file at its line. */
export function SearchPanel({ projectId }: { projectId: string }) {
  const [q, setQ] = useState('');
  const [regex, setRegex] = useState(false);
  const [caseSensitive, setCase] = useState(false);
  const [wholeWord, setWhole] = useState(false);
  const [include, setInclude] = useState('');
  const [exclude, setExclude] = useState('');
  const deferred = useDeferredValue(q);
  const search = useQuery(searchQuery(projectId, { q: deferred, regex, caseSensitive, wholeWord, include, exclude }));
  const open = useEditorStore((s) => s.open);
  const groups = useMemo(() => {
    const map = new Map<string, SearchHit[]>();
    for (const hit of search.data?.items ?? []) map.set(hit.path, [...(map.get(hit.path) ?? []), hit]);
    return [...map.entries()];
  }, [search.data]);

  return (
    <div className="search-panel">
      <div className="search-inputs">
        <div className="search-row">
          <input aria-label="Search text" placeholder="Search" value={q} onChange={(e) => setQ(e.target.value)} autoFocus />
          <button className={caseSensitive ? 'icon toggled' : 'icon'} aria-pressed={caseSensitive} aria-label="Match case" title="Match case" onClick={() => setCase(!caseSensitive)}>
            <CaseSensitive size={15} />
          </button>
          <button className={wholeWord ? 'icon toggled' : 'icon'} aria-pressed={wholeWord} aria-label="Whole word" title="Whole word" onClick={() => setWhole(!wholeWord)}>
            <WholeWord size={15} />
          </button>
          <button className={regex ? 'icon toggled' : 'icon'} aria-pressed={regex} aria-label="Regular expression" title="Regular expression" onClick={() => setRegex(!regex)}>
            <Regex size={15} />
          </button>
        </div>
        <input aria-label="Files to include" placeholder="files to include (globs, comma-separated)" value={include} onChange={(e) => setInclude(e.target.value)} />
        <input aria-label="Files to exclude" placeholder="files to exclude" value={exclude} onChange={(e) => setExclude(e.target.value)} />
      </div>
      <ErrorText error={search.error} />
      {search.data && (
        <p className="hint search-summary">
          {search.data.items.length} result(s) in {groups.length} file(s){search.data.truncated || search.data.nextCursor ? ' (more not shown)' : ''}
        </p>
      )}
      <ul className="search-results" role="tree" aria-label="Search results">
        {groups.map(([path, hits]) => (
          <li key={path} role="treeitem" aria-expanded aria-label={path}>
            <div className="search-file">{path}</div>
            <ul role="group">
              {hits.map((hit) => (
                <li
                  key={`${hit.line}:${hit.column}`}
                  role="treeitem"
                  aria-label={`${path}:${hit.line}`}
                  className="search-hit"
                  tabIndex={0}
                  onClick={() => {
                    open(path);
                    revealLine(path, hit.line, (hit.previewOffset ?? 0) + hit.column);
                  }}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') {
                      open(path);
                      revealLine(path, hit.line, (hit.previewOffset ?? 0) + hit.column);
                    }
                  }}
                >
                  <span className="hit-line">{hit.line}</span>
                  {hit.preview.slice(0, hit.column - 1)}
                  <mark>{hit.preview.slice(hit.column - 1, hit.column - 1 + hit.matchLength)}</mark>
                  {hit.preview.slice(hit.column - 1 + hit.matchLength)}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </div>
  );
}
