import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { Markdown, markdownBlocks } from './Markdown';
import { diffFromArguments } from './ChatPanel';

const render = (text: string) => {
  const host = document.createElement('div');
  host.innerHTML = renderToStaticMarkup(<Markdown text={text} />);
  return host;
};

describe('Markdown of model output', () => {
  it('renders GFM: tables, task lists, strikethrough, code', () => {
    const html = render('| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~ `code`\n\n```py\nprint(1)\n```');

    expect(html.querySelector('table td')?.textContent).toBe('1');
    expect(html.querySelector('input[type=checkbox]')).not.toBeNull();
    expect(html.querySelector('del')?.textContent).toBe('old');
    expect(html.querySelector('pre code')?.textContent).toContain('print(1)');
  });

  it('never turns HTML in an answer into elements', () => {
    const html = render('hi <script>alert(1)</script> <img src=x onerror="alert(2)"> <iframe src="/"></iframe> <b onclick="x()">b</b>');

    expect(html.querySelector('script, img, iframe, b, [onerror], [onclick]')).toBeNull();
  });

  it('drops javascript: and data: links and keeps safe ones without referrer', () => {
    const html = render('[a](javascript:alert(1)) [b](data:text/html,<script>alert(1)</script>) [c](https://example.org/x)');
    const links = [...html.querySelectorAll('a')];

    expect(links.map((a) => a.getAttribute('href') ?? '')).toEqual(['', '', 'https://example.org/x']);
    expect(links[2]!.getAttribute('rel')).toContain('noreferrer');
  });

  it('does not load images (they would leave for another host)', () => {
    const html = render('![logo](https://tracker.example.org/pixel.png)');

    expect(html.querySelector('img')).toBeNull();
    expect(html.textContent).toContain('logo');
  });
});

describe('tool card diffs', () => {
  it('shows an edit as removed then added lines, a write as added lines', () => {
    expect(diffFromArguments('edit_file', { path: 'a', old_text: 'x\ny', new_text: 'z\n' })).toBe('-x\n-y\n+z');
    expect(diffFromArguments('write_file', { path: 'a', content: 'Hello\n' })).toBe('+Hello');
    expect(diffFromArguments('run_command', { command: 'ls' })).toBeNull();
  });
});

describe('Markdown blocks', () => {
  it('splits at blank lines, never inside a code fence, and keeps reference links whole', () => {
    expect(markdownBlocks('# T\n\npara one\nstill one\n\n\n- a\n- b')).toEqual(['# T', 'para one\nstill one', '- a\n- b']);
    expect(markdownBlocks('```py\na = 1\n\nb = 2\n```\n\nafter')).toEqual(['```py\na = 1\n\nb = 2\n```', 'after']);
    expect(markdownBlocks('````\n```\n\n````\n\nx')).toEqual(['````\n```\n\n````', 'x']);
    expect(markdownBlocks('see [a]\n\n[a]: https://example.org')).toHaveLength(1);
  });

  it('renders the same elements block by block as the whole text', () => {
    const html = render('# Title\n\nSome `code` and **bold**.\n\n```js\nlet a;\n\nlet b;\n```\n\n| x |\n|---|\n| 1 |');
    expect(html.querySelector('h1')?.textContent).toBe('Title');
    expect(html.querySelector('pre code')?.textContent).toBe('let a;\n\nlet b;\n');
    expect(html.querySelector('table td')?.textContent).toBe('1');
  });
});
