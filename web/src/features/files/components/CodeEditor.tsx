import { useEffect, useRef } from 'react';
import type * as MonacoApi from 'monaco-editor';
import { loadMonaco, monacoTheme } from '@/lib/monaco';
import { getModel, registerEditor, setActiveEditor } from '../lib/documents';

const viewStates = new Map<string, MonacoApi.editor.ICodeEditorViewState | null>();

/**
 * The Monaco editor of one editor group; switching tabs swaps models and keeps each file's cursor
 * and scroll (per group: the same file in two groups has its own view of one shared model).
 */
export function CodeEditor({
  path,
  theme,
  onSave,
  viewState,
  onViewState,
  groupId = '',
  focused = true,
  onFocus,
}: {
  path: string;
  theme: 'dark' | 'light';
  onSave: () => void;
  viewState?: unknown;
  onViewState?: (path: string, state: unknown) => void;
  groupId?: string;
  /** This group has the focus: search hits and deep links go to this editor. */
  focused?: boolean;
  onFocus?: () => void;
}) {
  const key = (p: string) => `${groupId}:${p}`;
  const focusRef = useRef(onFocus);
  focusRef.current = onFocus;
  const focusedRef = useRef(focused);
  focusedRef.current = focused;
  const host = useRef<HTMLDivElement>(null);
  const editorRef = useRef<MonacoApi.editor.IStandaloneCodeEditor | null>(null);
  const saveRef = useRef(onSave);
  saveRef.current = onSave;
  const viewRef = useRef(onViewState);
  viewRef.current = onViewState;

  useEffect(() => {
    let disposed = false;
    let editor: MonacoApi.editor.IStandaloneCodeEditor | null = null;
    let unregister = () => {};
    void loadMonaco().then((monaco) => {
      if (disposed || !host.current) return;
      editor = monaco.editor.create(host.current, {
        model: null,
        theme: monacoTheme(theme),
        automaticLayout: true,
        fontSize: 13,
        minimap: { enabled: true, renderCharacters: false },
        scrollBeyondLastLine: false,
        fontFamily: 'ui-monospace, "Cascadia Code", "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace',
        renderWhitespace: 'selection',
        smoothScrolling: true,
        fixedOverflowWidgets: true,
      });
      editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => saveRef.current());
      editorRef.current = editor;
      unregister = registerEditor(editor);
      const created = editor;
      editor.onDidFocusEditorWidget(() => {
        setActiveEditor(created);
        focusRef.current?.();
      });
      if (focusedRef.current) setActiveEditor(editor);
      attach(path, viewState);
    });
    return () => {
      disposed = true;
      const current = editorRef.current;
      if (current) {
        const model = current.getModel();
        if (model) viewStates.set(key(pathOf(model)), current.saveViewState());
        current.dispose();
      }
      editorRef.current = null;
      unregister();
    };
    // The editor is created once; theme and path changes are applied below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    void loadMonaco().then((monaco) => monaco.editor.setTheme(monacoTheme(theme)));
  }, [theme]);

  function attach(next: string, restored?: unknown) {
    const editor = editorRef.current;
    if (!editor) return;
    const current = editor.getModel();
    if (current) {
      const state = editor.saveViewState();
      viewStates.set(key(pathOf(current)), state);
      viewRef.current?.(pathOf(current), state);
    }
    const model = getModel(next);
    editor.setModel(model);
    // A large file turns off what scans the whole text on every edit (folding ranges, sticky
    // scroll, word suggestions, highlights, bracket guides, the minimap), as VS Code does; typing
    // in a 5 MB file otherwise blocks for hundreds of milliseconds per keystroke.
    editor.updateOptions(model && model.getValueLength() > largeFileChars ? largeFileOptions : normalOptions);
    const state = viewStates.get(key(next)) ?? (restored as MonacoApi.editor.ICodeEditorViewState | undefined) ?? null;
    if (state) editor.restoreViewState(state);
    if (focusedRef.current) editor.focus();
  }

  useEffect(() => {
    if (focused && editorRef.current) setActiveEditor(editorRef.current);
  }, [focused]);

  useEffect(() => {
    attach(path, viewState);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [path]);

  useEffect(() => {
    const editor = editorRef.current;
    if (!editor) return;
    // The view state goes to the workbench store, which the whole workspace reads: saved once the
    // cursor rests, not on every keystroke (typing in a large file re-rendered the workspace each time).
    let timer: ReturnType<typeof setTimeout> | undefined;
    const sub = editor.onDidChangeCursorPosition(() => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const model = editor.getModel();
        if (model) viewRef.current?.(pathOf(model), editor.saveViewState());
      }, 250);
    });
    return () => {
      clearTimeout(timer);
      sub.dispose();
    };
  });

  return <div className="code-editor" ref={host} role="region" aria-label={`Editor ${path}`} data-path={path} />;
}

const largeFileChars = 1_000_000;
const largeFileOptions: MonacoApi.editor.IEditorOptions & MonacoApi.editor.IGlobalEditorOptions = {
  folding: false,
  stickyScroll: { enabled: false },
  wordBasedSuggestions: 'off',
  quickSuggestions: false,
  occurrencesHighlight: 'off',
  selectionHighlight: false,
  matchBrackets: 'never',
  bracketPairColorization: { enabled: false },
  guides: { indentation: false, bracketPairs: false },
  minimap: { enabled: false },
  links: false,
  colorDecorators: false,
  unicodeHighlight: { ambiguousCharacters: false, invisibleCharacters: false, nonBasicASCII: false },
};
const normalOptions: MonacoApi.editor.IEditorOptions & MonacoApi.editor.IGlobalEditorOptions = {
  folding: true,
  stickyScroll: { enabled: true },
  wordBasedSuggestions: 'matchingDocuments',
  quickSuggestions: true,
  occurrencesHighlight: 'singleFile',
  selectionHighlight: true,
  matchBrackets: 'always',
  bracketPairColorization: { enabled: true },
  guides: { indentation: true, bracketPairs: false },
  minimap: { enabled: true, renderCharacters: false },
  links: true,
  colorDecorators: true,
  unicodeHighlight: { ambiguousCharacters: true, invisibleCharacters: true, nonBasicASCII: 'inUntrustedWorkspace' },
};

function pathOf(model: MonacoApi.editor.ITextModel): string {
  // URIs are /<projectId>/<path>.
  return model.uri.path.split('/').slice(2).join('/');
}
