/**
 * Electron main process (bundled to dist/electron/main.mjs and launched by `pinpoint start`; never
 * loaded by tests — `electron` cannot run in plain Node). A thin shell around the backend that the
 * launcher runs in its Node process and passes in by URL + tokens (env), see remote-backend.ts.
 *
 * Security: contextIsolation, sandbox, no nodeIntegration, webSecurity; the renderer is served from
 * the privileged app:// scheme with a strict CSP; navigation and new windows are refused (dropped
 * files reach us by path from the preload, IPC_DROP); permission requests are denied; IPC accepts only our page.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  type MenuItemConstructorOptions,
  protocol,
  shell,
} from 'electron';
import { IPC_CALL, IPC_DROP, IPC_EVENT, type ServerEvent } from '../shared/api.ts';
import { createDialogHandlers, droppedPaths, handleIpcCall } from './ipc.ts';
import { connectRemoteBackend } from './remote-backend.ts';
import { CSP } from './server.ts';

const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: start the desktop app with \`pinpoint start\``);
  return v;
};
const rendererDir = resolve(env('PINPOINT_RENDERER_DIR'));
const preload = fileURLToPath(new URL('./preload.cjs', import.meta.url));
const backend = connectRemoteBackend(
  env('PINPOINT_BACKEND_URL'),
  env('PINPOINT_BACKEND_TOKEN'),
  env('PINPOINT_ADMIN_TOKEN'),
);

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

const FILE_FILTERS = [
  { name: 'Pinpoint files', extensions: ['md', 'pinproof', 'json', 'onnx', 'db', 'sqlite'] },
  { name: 'Notebooks', extensions: ['md'] },
  { name: 'Proofs and transcripts', extensions: ['pinproof', 'json'] },
  { name: 'ONNX models', extensions: ['onnx'] },
  { name: 'Ledgers', extensions: ['db', 'sqlite'] },
];

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

let win: BrowserWindow | null = null;

async function openPath(path: string): Promise<void> {
  const r = await backend.call('admin.openPath', { path });
  if (!r.ok) dialog.showErrorBox('Pinpoint could not open the file', r.error.message);
  else app.addRecentDocument(path);
}

/** Opens proof `a` compared with proof `b`: both become readable, then the renderer shows them together. */
async function openCompared(a: string, b: string): Promise<void> {
  for (const path of [a, b]) {
    const r = await backend.call('admin.allowPath', { path });
    if (!r.ok) return dialog.showErrorBox('Pinpoint could not open the file', r.error.message);
    app.addRecentDocument(path);
  }
  const event: ServerEvent = { type: 'open', path: a, compare: b };
  win?.webContents.send(IPC_EVENT, event);
}

async function openDialog(): Promise<void> {
  if (!win) return;
  const picked = await dialog.showOpenDialog(win, { properties: ['openFile'], filters: FILE_FILTERS });
  if (!picked.canceled && picked.filePaths[0]) await openPath(picked.filePaths[0]);
}

/** Sends a palette command to the renderer (menu items reuse the renderer's commands). */
function command(id: string): void {
  const event: ServerEvent = { type: 'command', id };
  win?.webContents.send(IPC_EVENT, event);
}

async function buildMenu(): Promise<void> {
  const recent = await backend.call('recent.list', {});
  const recentItems: MenuItemConstructorOptions[] =
    recent.ok && Array.isArray(recent.result) && recent.result.length
      ? (recent.result as string[]).map((p) => ({ label: p, click: () => void openPath(p) }))
      : [{ label: 'No recent files', enabled: false }];
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => void openDialog() },
        { label: 'Open Recent', submenu: recentItems },
        { type: 'separator' },
        { label: 'Save', accelerator: 'CmdOrCtrl+S', click: () => command('notebook.save') },
        { label: 'Save As…', accelerator: 'CmdOrCtrl+Shift+S', click: () => command('notebook.saveAs') },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'Run',
      submenu: [
        { label: 'Run All Cells', click: () => command('notebook.runAll') },
        { label: 'Cancel Run', click: () => command('notebook.cancel') },
      ],
    },
    {
      label: 'View',
      submenu: [
        { label: 'Command Palette…', accelerator: 'CmdOrCtrl+Shift+P', click: () => command('app.palette') },
        { type: 'separator' },
        ...['notebook', 'proof', 'graph', 'dispute', 'ledger'].map(
          (id, i): MenuItemConstructorOptions => ({
            label: id[0].toUpperCase() + id.slice(1),
            accelerator: `CmdOrCtrl+${i + 1}`,
            click: () => command(`view.${id}`),
          }),
        ),
        { type: 'separator' },
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      role: 'help',
      submenu: [
        { label: 'Welcome Notebook', click: () => command('app.demo') },
        { label: 'About Pinpoint', click: () => command('app.about') },
      ],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function serveRenderer(): void {
  protocol.handle('app', (request) => {
    const url = new URL(request.url);
    if (url.host !== 'pinpoint') return new Response('not found', { status: 404 });
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '') || 'index.html';
    const file = resolve(rendererDir, rel);
    if (!file.startsWith(rendererDir + sep) || !existsSync(file) || !statSync(file).isFile())
      return new Response('not found', { status: 404 });
    const headers: Record<string, string> = {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
    };
    if (extname(file) === '.html') headers['content-security-policy'] = CSP;
    return new Response(readFileSync(file), { headers });
  });
}

function createWindow(): void {
  win = new BrowserWindow({
    width: 1360,
    height: 880,
    minWidth: 900,
    minHeight: 600,
    backgroundColor: '#15171c',
    title: 'Pinpoint',
    show: false,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win?.show());
  const contents = win.webContents;
  // Dropped files arrive from the preload by path (IPC_DROP); a page-initiated navigation (a file://
  // URL included) is refused, so the page cannot open files of its choosing that way.
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  // The page's beforeunload guard (unsaved notebook edits) cancels a close or reload; Electron shows
  // nothing by itself, so ask here. preventDefault() on this event means "leave anyway".
  contents.on('will-prevent-unload', (event) => {
    const opts: Electron.MessageBoxSyncOptions = {
      type: 'warning',
      buttons: ['Leave', 'Stay'],
      defaultId: 1,
      cancelId: 1,
      title: 'Unsaved notebook edits',
      message: 'A notebook has unsaved edits.',
      detail: 'They are autosaved and will be offered back the next time you open the notebook.',
    };
    const choice = win ? dialog.showMessageBoxSync(win, opts) : dialog.showMessageBoxSync(opts);
    if (choice === 0) event.preventDefault();
  });
  void win.loadURL('app://pinpoint/index.html');
  win.on('closed', () => {
    win = null;
  });
}

// Native dialogs the renderer asks for by API method ('dialog.saveAs'); see ipc.ts.
const dialogs = createDialogHandlers(backend, (opts) =>
  win ? dialog.showSaveDialog(win, opts) : dialog.showSaveDialog(opts),
);

app.whenReady().then(async () => {
  serveRenderer();
  ipcMain.handle(IPC_CALL, async (event, payload: unknown) => {
    const r = await handleIpcCall(backend, payload, event.senderFrame?.url, dialogs);
    // Save As added a recent file: File › Open Recent and the OS list follow.
    if (r.ok && (payload as { method?: unknown }).method === 'notebook.saveAs') {
      app.addRecentDocument((r.result as { path: string }).path);
      void buildMenu();
    }
    return r;
  });
  ipcMain.on(IPC_DROP, (event, payload: unknown) => {
    const paths = droppedPaths(payload, event.senderFrame?.url);
    // Two proofs dropped together open compared (issue 15), as in browser mode.
    if (paths.length === 2 && paths.every((p) => extname(p) === '.pinproof'))
      void openCompared(paths[0], paths[1]);
    else for (const path of paths) void openPath(path);
  });
  backend.subscribe((event) => {
    win?.webContents.send(IPC_EVENT, event);
    if (event.type === 'open') void buildMenu();
  });
  await buildMenu();
  createWindow();
  for (const arg of process.argv.slice(2))
    if (!arg.startsWith('-') && existsSync(arg)) void openPath(join(process.cwd(), arg));
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

app.on('window-all-closed', () => {
  backend.close();
  app.quit();
});
