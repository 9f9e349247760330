/**
 * The view registry. A view is a self-contained page of the app (Notebook, Proof, Graph, Dispute,
 * Ledger…). Each lives in desktop/renderer/views/<id>/index.ts and calls `registerView` when its
 * module loads; the shell discovers those modules with `import.meta.glob`, so adding a view needs no
 * change to the shell. Views must not touch the DOM outside the element they are given.
 */
import type { ApiClient, ServerEvent } from '../../shared/api.ts';

/** What `mount` receives. */
export interface ViewContext {
  /** The typed backend API (same object whichever transport carries it). */
  api: ApiClient;
  /** Parameters the view was opened with, e.g. `{ path: '/…/demo.proof.json', step: '12' }`. */
  params: Readonly<Record<string, string>>;
  /** Switches to another view (e.g. Proof → Graph of a step). */
  openView(id: string, params?: Record<string, string>): void;
  /** Shows an error in the shell's error panel (never swallow errors: pass them here). */
  showError(error: unknown, context?: string): void;
  /** Shows a short message in the status bar. */
  showStatus(message: string): void;
  /** Registers a command in the command palette while the view is mounted (removed on unmount). */
  addCommand(command: Command): void;
  /** Subscribes to backend events while the view is mounted (unsubscribed on unmount). */
  onEvent(listener: (event: ServerEvent) => void): void;
  /** Aborted when the view is unmounted: pass it to timers/animations/fetches. */
  signal: AbortSignal;
}

/** What `mount` may return. */
export interface ViewHandle {
  /** Called when the view is left (after `signal` is aborted). */
  unmount?(): void;
  /** Called instead of a re-mount when the view is re-opened with new params. */
  update?(params: Readonly<Record<string, string>>): void;
}

export interface ViewDef {
  /** Stable id used in URLs (#/proof?path=…) and `openView`. */
  id: string;
  title: string;
  /** Inline SVG markup (24×24 viewBox, stroke="currentColor") or one or two characters. */
  icon?: string;
  /** Position in the navigation rail (lower first); built-ins use 10, 20, 30, 40, 50. */
  order?: number;
  /** Keyboard shortcut shown in the palette, e.g. 'Ctrl+2' (the shell binds Ctrl+1…9 by order). */
  mount(el: HTMLElement, ctx: ViewContext): ViewHandle | undefined | Promise<ViewHandle | undefined>;
}

export interface Command {
  id: string;
  title: string;
  /** Shown right-aligned in the palette, e.g. 'Shift+Enter'. */
  shortcut?: string;
  run(): void | Promise<void>;
}

const views = new Map<string, ViewDef>();
const listeners = new Set<() => void>();

/** Registers (or replaces, for hot reload) a view. */
export function registerView(def: ViewDef): void {
  if (!/^[a-z][a-z0-9-]*$/.test(def.id))
    throw new Error(`registerView: bad view id "${def.id}" (use a-z, 0-9, -)`);
  views.set(def.id, def);
  for (const listener of listeners) listener();
}

export function getView(id: string): ViewDef | undefined {
  return views.get(id);
}

/** Registered views in navigation order. */
export function listViews(): ViewDef[] {
  return [...views.values()].sort((a, b) => (a.order ?? 100) - (b.order ?? 100) || a.id.localeCompare(b.id));
}

export function onViewsChanged(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
