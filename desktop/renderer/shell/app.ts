/**
 * The app frame: navigation rail, top bar, the mounted view, command palette, keyboard shortcuts,
 * status bar and error display. Views come from the registry (shell/views.ts); the route lives in the
 * URL hash (#/notebook?path=…) so reload and back/forward work in browser mode.
 */
import type { ApiClient, AppInfo, FileEntry, ServerEvent } from '../../shared/api.ts';
import { fileKind } from '../../shared/file-kind.ts';
import { h, svgIcon } from './dom.ts';
import { installDrop } from './drop.ts';
import { installGlobalErrorHandlers, showError } from './errors.ts';
import { icons } from './icons.ts';
import { closeQuickPick, isQuickPickOpen, type PickItem, quickPick } from './quickpick.ts';
import { createStatusBar } from './statusbar.ts';
import {
  type Command,
  getView,
  listViews,
  onViewsChanged,
  type ViewContext,
  type ViewDef,
  type ViewHandle,
} from './views.ts';

/** The views every build has a place for; unregistered ones show a placeholder. */
const BUILTIN: { id: string; title: string; order: number; icon: string; what: string }[] = [
  {
    id: 'notebook',
    title: 'Notebook',
    order: 10,
    icon: icons.notebook,
    what: 'TypeScript cells with the Pinpoint API',
  },
  {
    id: 'proof',
    title: 'Proof',
    order: 20,
    icon: icons.proof,
    what: 'the training timeline: loss, steps, checkpoints',
  },
  {
    id: 'graph',
    title: 'Graph',
    order: 30,
    icon: icons.graph,
    what: 'a step’s operators with their digests',
  },
  {
    id: 'dispute',
    title: 'Dispute',
    order: 40,
    icon: icons.dispute,
    what: 'the animated pinpoint bisection and verdict',
  },
  {
    id: 'ledger',
    title: 'Ledger',
    order: 50,
    icon: icons.ledger,
    what: 'stakes, escrow, flows and the event log',
  },
];

interface Route {
  id: string;
  params: Record<string, string>;
}

export interface Shell {
  openView(id: string, params?: Record<string, string>): void;
  openFile(path: string, kind?: FileEntry['kind']): void;
  info: AppInfo;
}

export async function startShell(root: HTMLElement, api: ApiClient): Promise<Shell> {
  installGlobalErrorHandlers();
  const status = createStatusBar(api);
  const rail = h('nav', { class: 'rail', 'aria-label': 'Views' });
  const crumb = h('span', { class: 'crumb', 'data-testid': 'crumb' });
  const titleEl = h('span', { class: 'title', 'data-testid': 'view-title' });
  const host = h('div', { class: 'view-host' });
  const topbar = h(
    'header',
    { class: 'topbar' },
    titleEl,
    crumb,
    h('span', { class: 'grow' }),
    h(
      'button',
      { class: 'palette-hint', 'data-testid': 'palette-button', onclick: () => openPalette() },
      svgIcon(icons.command),
      h('span', { style: 'flex:1;text-align:left' }, 'Search commands and files'),
      h('kbd', {}, 'Ctrl+Shift+P'),
    ),
  );
  root.replaceChildren(rail, h('main', { class: 'main' }, topbar, host), status.el);

  const globalCommands = new Map<string, Command>();
  let viewCommands = new Map<string, Command>();
  let current: {
    route: Route;
    def: ViewDef | null;
    handle?: ViewHandle;
    abort: AbortController;
    el: HTMLElement;
  } | null = null;
  const info = await api.call('app.info', {});
  status.setRight(`Pinpoint ${info.version}`);

  const parseHash = (): Route => {
    const m = /^#\/([a-z][a-z0-9-]*)(?:\?(.*))?$/.exec(location.hash);
    if (!m) return { id: 'notebook', params: {} };
    return { id: m[1], params: Object.fromEntries(new URLSearchParams(m[2] ?? '')) };
  };
  const hashOf = (r: Route) => {
    const q = new URLSearchParams(r.params).toString();
    return `#/${r.id}${q ? `?${q}` : ''}`;
  };

  const openView = (id: string, params: Record<string, string> = {}) => {
    location.hash = hashOf({ id, params });
  };

  const viewList = () => {
    const registered = listViews();
    const all: { id: string; title: string; order: number; icon: string; registered: boolean }[] =
      registered.map((v) => ({
        id: v.id,
        title: v.title,
        order: v.order ?? 100,
        icon: v.icon ?? BUILTIN.find((b) => b.id === v.id)?.icon ?? v.title.slice(0, 2),
        registered: true,
      }));
    for (const b of BUILTIN) if (!getView(b.id)) all.push({ ...b, registered: false });
    return all.sort((a, b) => a.order - b.order);
  };

  const renderRail = () => {
    rail.replaceChildren(h('div', { class: 'brand', title: `Pinpoint ${info.version}` }, 'P'));
    viewList().forEach((v, i) => {
      const icon = v.icon.trim().startsWith('<svg') ? svgIcon(v.icon) : h('span', {}, v.icon);
      rail.append(
        h(
          'button',
          {
            title: `${v.title}${v.registered ? '' : ' (not available yet)'}  ·  Ctrl+${i + 1}`,
            'aria-label': v.title,
            'data-view': v.id,
            class: v.registered ? '' : 'placeholder',
            'aria-current': current?.route.id === v.id ? 'page' : false,
            onclick: () => openView(v.id),
          },
          icon,
        ),
      );
    });
    rail.append(
      h('div', { class: 'spacer' }),
      h(
        'button',
        { title: 'Open a file…  ·  Ctrl+O', 'aria-label': 'Open a file…', onclick: () => openFileDialog() },
        svgIcon(icons.open),
      ),
      h(
        'button',
        {
          title: 'Command palette  ·  Ctrl+Shift+P',
          'aria-label': 'Command palette',
          onclick: () => openPalette(),
        },
        svgIcon(icons.command),
      ),
    );
  };

  const mount = (route: Route) => {
    // The same route again (e.g. a hashchange echoing openView): nothing to do.
    if (current && hashOf(current.route) === hashOf(route)) return;
    if (current) {
      if (current.route.id === route.id && current.handle?.update) {
        current.route = route;
        crumb.textContent = crumbOf(route);
        current.handle.update(route.params);
        return;
      }
      current.abort.abort();
      try {
        current.handle?.unmount?.();
      } catch (err) {
        showError(err, `Closing ${current.def?.title ?? current.route.id}`);
      }
      current.el.remove();
    }
    viewCommands = new Map();
    const def = getView(route.id) ?? null;
    const abort = new AbortController();
    const el = h('div', { class: 'view', 'data-view': route.id });
    host.append(el);
    current = { route, def, abort, el };
    const builtin = BUILTIN.find((b) => b.id === route.id);
    titleEl.textContent = def?.title ?? builtin?.title ?? route.id;
    crumb.textContent = crumbOf(route);
    renderRail();
    if (!def) {
      el.append(
        h(
          'div',
          { class: 'placeholder-view', 'data-testid': 'placeholder' },
          h(
            'div',
            {},
            builtin ? svgIcon(builtin.icon) : null,
            h('h2', {}, builtin?.title ?? route.id),
            h(
              'div',
              {},
              builtin
                ? `This view (${builtin.what}) is not available in this build yet.`
                : `No view "${route.id}".`,
            ),
          ),
        ),
      );
      return;
    }
    const ctx: ViewContext = {
      api,
      params: route.params,
      openView,
      showError,
      showStatus: (m) => status.message(m),
      addCommand: (c) => viewCommands.set(c.id, c),
      onEvent: (listener: (e: ServerEvent) => void) => {
        const off = api.subscribe(listener);
        abort.signal.addEventListener('abort', off);
      },
      signal: abort.signal,
    };
    Promise.resolve()
      .then(() => def.mount(el, ctx))
      .then((handle) => {
        if (current?.el === el) current.handle = handle ?? undefined;
      })
      .catch((err) => showError(err, `Opening ${def.title}`));
  };

  // Opens a file in the view that shows its kind.
  const openFile = (path: string, kind?: FileEntry['kind']) => {
    const k = kind ?? fileKind(path);
    const id =
      k === 'notebook'
        ? 'notebook'
        : k === 'ledger'
          ? 'ledger'
          : k === 'transcript'
            ? 'dispute'
            : k === 'onnx'
              ? 'model'
              : 'proof';
    openView(id, { path });
  };

  const openFileDialog = () =>
    quickPick({
      placeholder: 'Open a notebook, proof, ledger or model…',
      testId: 'open-dialog',
      onError: (e) => showError(e, 'Open'),
      items: Promise.all([api.call('files.list', {}), api.call('recent.list', {})]).then(
        ([files, recent]) => {
          const recentItems: PickItem[] = recent.map((p) => ({
            label: p.split('/').pop() ?? p,
            detail: p,
            group: 'Recent',
            badge: fileKind(p),
            run: () => openFile(p),
          }));
          const fileItems: PickItem[] = files.map((f) => ({
            label: f.name,
            detail: f.path,
            group: f.source === 'notebooks' ? 'notebooks/' : 'Data folder',
            badge: f.kind,
            run: () => openFile(f.path, f.kind),
          }));
          // Browser mode: files outside these folders come in through the browser's file chooser.
          const uploadItem: PickItem[] = upload
            ? [
                {
                  label: 'Upload and open a file from this computer…',
                  detail:
                    'a proof (.pinproof), notebook (.md) or ONNX model (.onnx), copied into the data folder',
                  group: 'Other files',
                  run: () => upload.pickFiles(),
                },
              ]
            : [];
          return [...recentItems, ...fileItems, ...uploadItem];
        },
      ),
    });

  const allCommands = (): Command[] => [...viewCommands.values(), ...globalCommands.values()];
  const openPalette = () =>
    quickPick({
      placeholder: 'Type a command…',
      testId: 'palette',
      onError: (e) => showError(e, 'Command'),
      items: allCommands().map((c) => ({ label: c.title, shortcut: c.shortcut, run: () => c.run() })),
    });

  const addGlobal = (c: Command) => globalCommands.set(c.id, c);
  addGlobal({ id: 'app.open', title: 'File: Open…', shortcut: 'Ctrl+O', run: openFileDialog });
  addGlobal({ id: 'app.palette', title: 'Show all commands', shortcut: 'Ctrl+Shift+P', run: openPalette });
  addGlobal({
    id: 'app.demo',
    title: 'Help: Open the welcome notebook',
    run: () =>
      info.demo.notebook ? openFile(info.demo.notebook, 'notebook') : showError('no demo notebook', 'Help'),
  });
  addGlobal({
    id: 'app.about',
    title: 'Help: About Pinpoint',
    run: () =>
      status.message(
        `Pinpoint ${info.version} · ${info.mode} · data: ${info.dataDir} · ${info.demo.notes.join(' · ')}`,
      ),
  });
  const registerViewCommands = () => {
    for (const [i, v] of viewList().entries())
      addGlobal({
        id: `view.${v.id}`,
        title: `View: ${v.title}`,
        shortcut: `Ctrl+${i + 1}`,
        run: () => openView(v.id),
      });
  };
  registerViewCommands();

  // Keyboard shortcuts (capture phase so Monaco does not eat the global ones).
  window.addEventListener(
    'keydown',
    (e) => {
      const mod = e.ctrlKey || e.metaKey;
      if ((mod && e.shiftKey && e.key.toLowerCase() === 'p') || e.key === 'F1') {
        e.preventDefault();
        e.stopPropagation();
        if (isQuickPickOpen()) closeQuickPick();
        else openPalette();
      } else if (mod && !e.shiftKey && e.key.toLowerCase() === 'o') {
        e.preventDefault();
        e.stopPropagation();
        openFileDialog();
      } else if (mod && !e.shiftKey && !e.altKey && /^[1-9]$/.test(e.key)) {
        const v = viewList()[Number(e.key) - 1];
        if (v) {
          e.preventDefault();
          e.stopPropagation();
          openView(v.id);
        }
      } else if (mod && !e.altKey && e.key.toLowerCase() === 's') {
        // Ctrl+S saves, Ctrl+Shift+S saves as: the current view's command of that name.
        e.preventDefault();
        e.stopPropagation();
        const suffix = e.shiftKey ? '.saveAs' : '.save';
        const save =
          viewCommands.get(`notebook${suffix}`) ??
          [...viewCommands.values()].find((c) => c.id.endsWith(suffix));
        if (save) Promise.resolve(save.run()).catch((err) => showError(err, e.shiftKey ? 'Save As' : 'Save'));
        else status.message(e.shiftKey ? 'Nothing to save as here' : 'Nothing to save here');
      } else if (e.key === 'Escape' && isQuickPickOpen()) {
        closeQuickPick();
      }
    },
    true,
  );

  // Files opened from outside (Electron menu, drag-and-drop handled by main) arrive as events.
  api.subscribe((event) => {
    if (event.type === 'open' && event.compare)
      openView('proof', { path: event.path, compare: event.compare });
    else if (event.type === 'open') openFile(event.path);
    else if (event.type === 'command') {
      const c = viewCommands.get(event.id) ?? globalCommands.get(event.id);
      if (c) Promise.resolve(c.run()).catch((err) => showError(err, c.title));
      else status.message(`No command "${event.id}" here`);
    } else if (event.type === 'log' && event.level === 'error') showError(event.message, 'Backend');
    else if (event.type === 'log') status.message(event.message);
  });

  // Browser mode: a dropped (or picked: File › Upload and open…) proof, notebook or model is uploaded into
  // <data>/imports/ and opened.
  const upload = installDrop(api, status, openView);
  if (upload)
    addGlobal({
      id: 'app.upload',
      title: 'File: Upload and open… (a file from this computer)',
      run: upload.pickFiles,
    });

  onViewsChanged(() => {
    registerViewCommands();
    renderRail();
  });
  window.addEventListener('hashchange', () => mount(parseHash()));
  // replaceState: no hashchange event, so the first view is mounted exactly once.
  if (!location.hash && info.firstRun && info.demo.notebook)
    history.replaceState(null, '', hashOf({ id: 'notebook', params: { path: info.demo.notebook } }));
  mount(parseHash());
  return { openView, openFile, info };
}

function crumbOf(route: Route): string {
  return route.params.path ? route.params.path.split('/').slice(-2).join('/') : '';
}
