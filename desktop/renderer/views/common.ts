/**
 * Helpers shared by the Proof, Graph, Dispute and Ledger views: the shared selection (which proof and
 * step the user is looking at, so Proof → Graph keeps the step), view-level keyboard handling that
 * ignores keys typed into inputs, and loading/error placeholders.
 */
import { ensureStyles } from '../components/styles.ts';
import { accessibleName } from '../shell/icons.ts';

/** What the user last looked at, shared across views within the session. */
export const selection: { proofPath?: string; step?: number; disputeId?: string } = {};

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined | null> = {},
  ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

export function button(
  label: string,
  title: string,
  onClick: () => void,
  extra: Record<string, string> = {},
): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'pp-btn', title, ...extra });
  b.innerHTML = label;
  // A button with visible text is named by that text (what a speech-input user says); an icon-only
  // one by its tooltip without the shortcut: "Zoom in (+)" → "Zoom in".
  if (!b.textContent?.trim()) b.setAttribute('aria-label', accessibleName(title));
  b.addEventListener('click', onClick);
  return b;
}

/** Root element of a view: themed, focusable, with the component styles loaded. */
export function viewRoot(el: HTMLElement, id: string): HTMLElement {
  ensureStyles(el.ownerDocument);
  el.innerHTML = '';
  const root = h('div', { class: `pp pp-view pp-view-${id}`, 'data-view': id, tabindex: -1 });
  root.style.cssText = 'display:flex;flex-direction:column;min-height:100%;height:100%;';
  el.append(root);
  return root;
}

/** Keydown handler for view shortcuts that stays out of the way of text fields and focused widgets. */
export function onViewKeys(
  root: HTMLElement,
  signal: AbortSignal,
  handler: (ev: KeyboardEvent) => boolean,
): void {
  root.addEventListener(
    'keydown',
    (ev) => {
      const t = ev.target as HTMLElement;
      if (t.closest('input, textarea, select, [contenteditable=true], .monaco-editor')) return;
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      if (handler(ev)) {
        ev.preventDefault();
        ev.stopPropagation();
      }
    },
    { signal },
  );
}

export function loading(el: HTMLElement, what: string): void {
  el.innerHTML = '';
  el.append(h('div', { class: 'pp-empty', role: 'status' }, `Loading ${what}…`));
}

export function errorBox(el: HTMLElement, err: unknown, context: string): void {
  el.innerHTML = '';
  el.append(
    h(
      'div',
      { class: 'pp-error', role: 'alert' },
      `${context}: ${err instanceof Error ? err.message : String(err)}`,
    ),
  );
}

/** Key/value list (dl.pp-kv). */
export function kvList(rows: [string, string | Node][]): HTMLDListElement {
  const dl = h('dl', { class: 'pp-kv' });
  for (const [k, v] of rows) dl.append(h('dt', {}, k), h('dd', {}, v));
  return dl;
}

export function panel(title: string, ...body: (Node | null)[]): HTMLElement {
  const p = h('section', { class: 'pp-panel' }, h('h3', {}, title));
  for (const b of body) if (b) p.append(b);
  return p;
}

export function badge(kind: 'ok' | 'bad' | 'info' | 'warn', text: string): HTMLElement {
  return h('span', { class: `pp-badge ${kind}` }, text);
}

/** Scrolls `row` into view inside `container` only (scrollIntoView would also scroll the page). */
export function scrollWithin(container: HTMLElement, row: HTMLElement | null | undefined): void {
  if (!row) return;
  const c = container.getBoundingClientRect();
  const r = row.getBoundingClientRect();
  const head = 30; // sticky table header
  if (r.top < c.top + head) container.scrollTop -= c.top + head - r.top;
  else if (r.bottom > c.bottom) container.scrollTop += r.bottom - c.bottom;
}
