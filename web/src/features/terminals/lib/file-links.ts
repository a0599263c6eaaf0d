/** A `path:line` (or `path:line:column`, `path(line,column)`) reference found in a line of terminal output. */
export interface FileLink {
  /** Index of the first character in the line, and one past the last. */
  start: number;
  end: number;
  path: string;
  line: number;
  column: number;
}

// A path needs a file extension that starts with a letter, so `127.0.0.1:8000` and `localhost:5173`
// stay plain text; compilers write `file:line:col` (gcc, tsc --pretty false, eslint, pytest) or
// `file(line,col)` (dotnet, tsc).
const pathPart = String.raw`((?:\.{1,2}\/|\/)?(?:[\w@.+-]+\/)*[\w@+-][\w@.+-]*\.[A-Za-z][A-Za-z0-9]*)`;
const colonForm = new RegExp(String.raw`(?<![\w/.:-])` + pathPart + String.raw`:(\d+)(?::(\d+))?`, 'g');
const parenForm = new RegExp(String.raw`(?<![\w/.:-])` + pathPart + String.raw`\((\d+)(?:,(\d+))?\)`, 'g');
// Python tracebacks: File "src/app.py", line 12
const pythonForm = /File "([^"]+)", line (\d+)/g;

/** Every file reference in one line of output, left to right, none overlapping. */
export function findFileLinks(text: string): FileLink[] {
  const found: FileLink[] = [];
  for (const pattern of [colonForm, parenForm]) {
    for (const m of text.matchAll(pattern)) {
      if (isUrlPart(text, m.index)) continue;
      found.push({ start: m.index, end: m.index + m[0].length, path: m[1]!, line: Number(m[2]), column: m[3] ? Number(m[3]) : 1 });
    }
  }
  for (const m of text.matchAll(pythonForm)) {
    const start = m.index + m[0].indexOf('"') + 1;
    found.push({ start, end: m.index + m[0].length, path: m[1]!, line: Number(m[2]), column: 1 });
  }
  found.sort((a, b) => a.start - b.start);
  return found.filter((link, i) => i === 0 || link.start >= found[i - 1]!.end);
}

/** True when the match sits inside a URL (`http://host/app.js:3` is the web-links addon's). */
function isUrlPart(text: string, index: number): boolean {
  const before = text.slice(0, index);
  const word = before.slice(before.lastIndexOf(' ') + 1);
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(word);
}

/**
 * The project-relative path of a reference printed in a terminal whose shell runs in `cwd`
 * (absolute), or null when it points outside the project.
 */
export function projectPathOf(root: string, cwd: string, path: string): string | null {
  const absolute = path.startsWith('/') ? path : `${cwd.replace(/\/+$/, '')}/${path}`;
  const parts: string[] = [];
  for (const part of absolute.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  const normalized = '/' + parts.join('/');
  const base = root.replace(/\/+$/, '');
  if (!normalized.startsWith(base + '/')) return null;
  return normalized.slice(base.length + 1);
}
