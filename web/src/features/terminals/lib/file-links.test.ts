import { describe, expect, it } from 'vitest';
import { findFileLinks, projectPathOf } from './file-links';

describe('findFileLinks', () => {
  it('finds compiler and traceback references with their line and column', () => {
    expect(findFileLinks('src/app.ts:12:5 - error TS2322').map((l) => [l.path, l.line, l.column])).toEqual([['src/app.ts', 12, 5]]);
    expect(findFileLinks('Program.cs(7,13): error CS1002').map((l) => [l.path, l.line, l.column])).toEqual([['Program.cs', 7, 13]]);
    expect(findFileLinks('  File "tests/test_app.py", line 3, in test_x').map((l) => [l.path, l.line])).toEqual([['tests/test_app.py', 3]]);
    expect(findFileLinks('see ./a.py:1 and ../b/c.go:20')).toHaveLength(2);
  });

  it('leaves addresses, ports and URLs alone', () => {
    expect(findFileLinks('Serving HTTP on 0.0.0.0 port 8000 (http://0.0.0.0:8000/)')).toEqual([]);
    expect(findFileLinks('Local: http://localhost:5173/src/main.ts:3')).toEqual([]);
    expect(findFileLinks('127.0.0.1:8080 localhost:3000')).toEqual([]);
  });

  it('gives the span of the reference in the line', () => {
    const [link] = findFileLinks('at src/a.py:4 here');
    expect('at src/a.py:4 here'.slice(link!.start, link!.end)).toBe('src/a.py:4');
  });
});

describe('projectPathOf', () => {
  it('resolves against the shell directory and stays inside the project', () => {
    expect(projectPathOf('/p/proj', '/p/proj/web', 'src/a.ts')).toBe('web/src/a.ts');
    expect(projectPathOf('/p/proj', '/p/proj/web', '../README.md')).toBe('README.md');
    expect(projectPathOf('/p/proj', '/p/proj', '/p/proj/x.py')).toBe('x.py');
    expect(projectPathOf('/p/proj', '/p/proj', '../other/x.py')).toBeNull();
    expect(projectPathOf('/p/proj', '/p/proj', '/etc/passwd.txt')).toBeNull();
  });
});
