/**
 * Monaco set-up for notebook cells: explicit workers (required for production builds with Vite),
 * a theme matching the shell, TypeScript defaults for cell code, and the Pinpoint prelude's type
 * definitions (from the backend, generated from core/notebook/prelude.ts) so completion and hover work.
 */
import * as monaco from 'monaco-editor';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TsWorker from 'monaco-editor/language/typescript/ts.worker?worker';
import type { ApiClient } from '../../../shared/api.ts';

(self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    if (label === 'typescript' || label === 'javascript') return new TsWorker();
    return new EditorWorker();
  },
};

let ready: Promise<void> | null = null;

/**
 * Configures Monaco once per page. The prelude's types load in the background (they may take seconds
 * to generate after core changed): editors work at once and gain completion when they arrive.
 */
export function setupMonaco(api: ApiClient, onError: (err: unknown) => void): Promise<void> {
  ready ??= (async () => {
    monaco.editor.defineTheme('pinpoint-dark', {
      base: 'vs-dark',
      inherit: true,
      rules: [
        { token: 'comment', foreground: '6b7585', fontStyle: 'italic' },
        { token: 'keyword', foreground: 'c792ea' },
        { token: 'string', foreground: 'a5d6a7' },
        { token: 'number', foreground: 'f7b267' },
      ],
      colors: {
        'editor.background': '#111318',
        'editor.lineHighlightBackground': '#1a1d24',
        'editorLineNumber.foreground': '#4a5260',
        'editorLineNumber.activeForeground': '#9aa3b2',
        'editorGutter.background': '#111318',
        'editor.selectionBackground': '#2d4a7c',
        'editorWidget.background': '#20242b',
        'editorWidget.border': '#3a404b',
        'editorSuggestWidget.background': '#20242b',
        'editorHoverWidget.background': '#20242b',
      },
    });
    const ts = monaco.typescript;
    ts.typescriptDefaults.setCompilerOptions({
      target: ts.ScriptTarget.ES2020,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.NodeJs,
      allowNonTsExtensions: true,
      allowImportingTsExtensions: true,
      noEmit: true,
      strict: true,
      lib: ['es2022'],
    } as Parameters<typeof ts.typescriptDefaults.setCompilerOptions>[0]);
    ts.typescriptDefaults.setDiagnosticsOptions({
      noSemanticValidation: false,
      noSyntaxValidation: false,
      // Cells are scripts sharing one scope and may use top-level await (allowed by the runner).
      diagnosticCodesToIgnore: [1375, 1378, 1431, 1432, 2451, 1208],
    });
    ts.typescriptDefaults.setEagerModelSync(true);
    api
      .call('notebook.prelude', {})
      .then((prelude) => {
        for (const lib of prelude.libs) ts.typescriptDefaults.addExtraLib(lib.content, lib.path);
        document.body.dataset.preludeTypes = String(prelude.names.length);
      })
      .catch(onError);
  })();
  return ready;
}

export { monaco };
