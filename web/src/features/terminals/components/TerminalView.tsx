import { useEffect, useRef, useState } from 'react';
import { Terminal as XTerm, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import '@xterm/xterm/css/xterm.css';
import { attachAddress, refreshLogin, type TerminalInfo } from '../api';
import { findFileLinks, projectPathOf } from '../lib/file-links';
import { TerminalSearch } from './TerminalSearch';

const darkTheme: ITheme = {
  background: '#1e1f22',
  foreground: '#d4d6db',
  cursor: '#d4d6db',
  selectionBackground: '#264f78',
  black: '#1e1f22',
  brightBlack: '#6b7079',
  red: '#f0616d',
  green: '#5cc98b',
  yellow: '#e3b341',
  blue: '#5a9df8',
  magenta: '#c678dd',
  cyan: '#4fc1c9',
  white: '#d4d6db',
  brightWhite: '#ffffff',
};

const lightTheme: ITheme = {
  background: '#ffffff',
  foreground: '#1f2328',
  cursor: '#1f2328',
  selectionBackground: '#add6ff',
  black: '#1f2328',
  brightBlack: '#656d76',
  red: '#cf222e',
  green: '#116329',
  yellow: '#9a6700',
  blue: '#0969da',
  magenta: '#8250df',
  cyan: '#1b7c83',
  white: '#d0d7de',
  brightWhite: '#f6f8fa',
};

export type ConnectionState = 'connecting' | 'open' | 'lost' | 'exited';

interface Props {
  terminal: TerminalInfo;
  projectRoot: string;
  theme: 'dark' | 'light';
  focused: boolean;
  onFocus(): void;
  onOpenFile(path: string, line: number, column: number): void;
  onExit(code: number | null): void;
}

/**
 * One terminal: xterm.js attached to the terminal's WebSocket (binary frames are the bytes, text
 * frames JSON control messages). A dropped connection reattaches on its own, the server sending
 * the screen and scrollback again, so the view is reset first; `path:line` in the output opens
 * the file in the editor.
 */
export function TerminalView({ terminal, projectRoot, theme, focused, onFocus, onOpenFile, onExit }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const xterm = useRef<XTerm | null>(null);
  const search = useRef<SearchAddon | null>(null);
  const [state, setState] = useState<ConnectionState>(terminal.status === 'exited' ? 'exited' : 'connecting');
  const [searching, setSearching] = useState(false);
  const handlers = useRef({ onOpenFile, onExit, onFocus });
  handlers.current = { onOpenFile, onExit, onFocus };

  useEffect(() => {
    const element = host.current!;
    const term = new XTerm({
      allowProposedApi: true,
      cursorBlink: true,
      fontFamily: getComputedStyle(document.documentElement).getPropertyValue('--mono').trim() || 'monospace',
      fontSize: 13,
      lineHeight: 1.15,
      scrollback: 10_000,
      theme: theme === 'dark' ? darkTheme : lightTheme,
    });
    const fit = new FitAddon();
    const searchAddon = new SearchAddon();
    term.loadAddon(fit);
    term.loadAddon(searchAddon);
    term.loadAddon(new WebLinksAddon((_event, uri) => window.open(uri, '_blank', 'noopener')));
    term.loadAddon(new Unicode11Addon());
    term.unicode.activeVersion = '11';
    term.open(element);
    xterm.current = term;
    search.current = searchAddon;
    safeFit(fit);

    const links = term.registerLinkProvider({
      provideLinks(y, callback) {
        const line = term.buffer.active.getLine(y - 1)?.translateToString(true) ?? '';
        const found = findFileLinks(line).flatMap((link) => {
          const path = projectPathOf(projectRoot, terminal.cwd ? `${projectRoot}/${terminal.cwd}` : projectRoot, link.path);
          if (!path) return [];
          return [{
            range: { start: { x: link.start + 1, y }, end: { x: link.end, y } },
            text: line.slice(link.start, link.end),
            decorations: { underline: true, pointerCursor: true },
            activate: () => handlers.current.onOpenFile(path, link.line, link.column),
          }];
        });
        callback(found.length ? found : undefined);
      },
    });

    // Copy and paste as in VS Code on Linux: Ctrl+Shift+C / Ctrl+Shift+V (Ctrl+V works through the
    // browser's own paste), Ctrl+C copies when there is a selection; the workbench's own shortcuts
    // (Ctrl+P, Ctrl+`, Ctrl+B …) pass through to it.
    term.attachCustomKeyEventHandler((e) => {
      if (e.type !== 'keydown') return true;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && e.shiftKey && key === 'c') {
        if (term.hasSelection()) void navigator.clipboard?.writeText(term.getSelection());
        e.preventDefault();
        return false;
      }
      if (mod && !e.shiftKey && key === 'c' && term.hasSelection()) {
        void navigator.clipboard?.writeText(term.getSelection());
        term.clearSelection();
        e.preventDefault();
        return false;
      }
      if (mod && e.shiftKey && key === 'v') {
        e.preventDefault();
        void navigator.clipboard?.readText().then((text) => term.paste(text)).catch(() => undefined);
        return false;
      }
      if (mod && key === 'f') {
        e.preventDefault();
        setSearching(true);
        return false;
      }
      if (mod && (key === 'p' || key === '`' || key === 'b' || (e.shiftKey && key === 'f'))) return false;
      return true;
    });

    let socket: WebSocket | null = null;
    let closed = false;
    let exited = terminal.status === 'exited';
    let retry: ReturnType<typeof setTimeout> | undefined;
    let attempts = 0;
    const encoder = new TextEncoder();
    const send = (data: string | Uint8Array) => {
      if (socket?.readyState === WebSocket.OPEN) socket.send(typeof data === 'string' ? encoder.encode(data) : data);
    };

    const connect = () => {
      if (closed || exited) return;
      setState('connecting');
      const ws = new WebSocket(attachAddress(terminal, term.cols, term.rows));
      ws.binaryType = 'arraybuffer';
      let opened = false;
      socket = ws;
      ws.onopen = () => {
        opened = true;
        attempts = 0;
        // The server replays the screen and scrollback on every attach: start from a clean view.
        term.reset();
        setState('open');
        ws.send(JSON.stringify({ type: 'resize', cols: term.cols, rows: term.rows }));
      };
      ws.onmessage = (event) => {
        if (typeof event.data === 'string') {
          const message = JSON.parse(event.data) as { type?: string; code?: number | null };
          if (message.type === 'exit') {
            exited = true;
            setState('exited');
            handlers.current.onExit(message.code ?? null);
          }
        } else {
          term.write(new Uint8Array(event.data as ArrayBuffer));
        }
      };
      ws.onclose = () => {
        if (socket === ws) socket = null;
        if (closed || exited) return;
        setState('lost');
        attempts++;
        const delay = Math.min(5_000, 250 * 2 ** Math.min(attempts, 5));
        // An upgrade refused before it opened may be an expired login: refresh it, then retry.
        const before = opened ? Promise.resolve(true) : refreshLogin().catch(() => false);
        void before.then(() => {
          retry = setTimeout(connect, delay);
        });
      };
    };

    const input = term.onData((data) => send(data));
    const binary = term.onBinary((data) => send(Uint8Array.from(data, (c) => c.charCodeAt(0))));
    const resized = term.onResize(({ cols, rows }) => {
      if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'resize', cols, rows }));
    });
    const focus = () => handlers.current.onFocus();
    element.addEventListener('focusin', focus);
    const observer = new ResizeObserver(() => safeFit(fit));
    observer.observe(element);
    if (exited) {
      // An ended terminal still shows what it printed: attach once to read it back.
      exited = false;
      connect();
      exited = true;
    } else {
      connect();
    }

    return () => {
      closed = true;
      clearTimeout(retry);
      observer.disconnect();
      element.removeEventListener('focusin', focus);
      input.dispose();
      binary.dispose();
      resized.dispose();
      links.dispose();
      socket?.close();
      term.dispose();
      xterm.current = null;
    };
    // The terminal's identity is its id; theme changes are applied below without reattaching.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [terminal.id]);

  useEffect(() => {
    if (xterm.current) xterm.current.options.theme = theme === 'dark' ? darkTheme : lightTheme;
  }, [theme]);

  useEffect(() => {
    if (focused) xterm.current?.focus();
  }, [focused]);

  return (
    <div className={focused ? 'terminal-view focused' : 'terminal-view'} role="group" aria-label={`Terminal ${terminal.name}`} data-state={state}>
      {searching && search.current && <TerminalSearch search={search.current} onClose={() => { setSearching(false); xterm.current?.focus(); }} />}
      <div className="terminal-host" ref={host} />
      {state === 'lost' && <div className="terminal-banner" role="status">Connection lost — reattaching…</div>}
    </div>
  );
}

/** Fitting a hidden (zero-size) element throws inside xterm.js: skip until it is laid out. */
function safeFit(fit: FitAddon): void {
  const size = fit.proposeDimensions();
  if (size && Number.isFinite(size.cols) && size.cols > 1 && size.rows > 1) fit.fit();
}
