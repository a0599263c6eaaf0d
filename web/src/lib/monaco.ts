import type * as MonacoApi from 'monaco-editor';

export type Monaco = typeof MonacoApi;

let loading: Promise<Monaco> | null = null;

/**
 * Loads Monaco on first use (it is most of the app's weight) with its workers bundled from this
 * origin: nothing is fetched from elsewhere, and the CSP's worker-src 'self' holds.
 */
export function loadMonaco(): Promise<Monaco> {
  loading ??= (async () => {
    const [monaco, editorWorker, jsonWorker, cssWorker, htmlWorker, tsWorker] = await Promise.all([
      import('monaco-editor'),
      import('monaco-editor/editor/editor.worker?worker'),
      import('monaco-editor/language/json/json.worker?worker'),
      import('monaco-editor/language/css/css.worker?worker'),
      import('monaco-editor/language/html/html.worker?worker'),
      import('monaco-editor/language/typescript/ts.worker?worker'),
    ]);
    self.MonacoEnvironment = {
      getWorker(_id: string, label: string) {
        if (label === 'json') return new jsonWorker.default();
        if (label === 'css' || label === 'scss' || label === 'less') return new cssWorker.default();
        if (label === 'html' || label === 'handlebars' || label === 'razor') return new htmlWorker.default();
        if (label === 'typescript' || label === 'javascript') return new tsWorker.default();
        return new editorWorker.default();
      },
    };
    monaco.editor.defineTheme('wright-dark', {
      base: 'vs-dark',
      inherit: true,
      rules: [],
      colors: { 'editor.background': '#1e1f22', 'editorGutter.background': '#1e1f22' },
    });
    return monaco;
  })();
  return loading;
}

/** The theme name Monaco uses for the app theme. */
export function monacoTheme(theme: 'dark' | 'light'): string {
  return theme === 'dark' ? 'wright-dark' : 'vs';
}
