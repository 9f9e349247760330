/**
 * Error display. Every error reaches the user: a toast (auto-hides after a while, stays on hover) and
 * an entry in the error panel (status bar → errors). Uncaught errors and rejections are routed here
 * too, so nothing is swallowed.
 */
import { ApiError } from '../../shared/api.ts';
import { h, svgIcon } from './dom.ts';
import { icons } from './icons.ts';

export interface ErrorEntry {
  context: string;
  message: string;
  at: Date;
}

const entries: ErrorEntry[] = [];
const listeners = new Set<() => void>();
let toasts: HTMLElement | null = null;
let panel: HTMLElement | null = null;

export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const where = error.file ? `${error.file}${error.line ? `:${error.line}` : ''}` : '';
    return where && !error.message.includes(where) ? `${where}: ${error.message}` : error.message;
  }
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

export function showError(error: unknown, context = 'Error'): void {
  const entry: ErrorEntry = { context, message: describeError(error), at: new Date() };
  entries.push(entry);
  console.error(`[pinpoint] ${context}:`, error);
  for (const l of listeners) l();
  toasts ??= document.body.appendChild(
    h('div', { class: 'toasts', role: 'alert', 'aria-live': 'assertive' }),
  );
  const toast = h(
    'div',
    { class: 'toast', 'data-testid': 'error-toast' },
    svgIcon(icons.alert),
    h(
      'div',
      { class: 'body' },
      h('div', { class: 'ctx' }, context),
      h('div', { class: 'msg' }, entry.message),
    ),
    h(
      'button',
      {
        class: 'btn ghost icon-only',
        title: 'Dismiss',
        'aria-label': 'Dismiss',
        onclick: () => toast.remove(),
      },
      svgIcon(icons.x),
    ),
  );
  toasts.append(toast);
  while (toasts.childElementCount > 4) toasts.firstElementChild?.remove();
  let hover = false;
  toast.addEventListener('mouseenter', () => (hover = true));
  toast.addEventListener('mouseleave', () => (hover = false));
  const hide = () => (hover ? setTimeout(hide, 2000) : toast.remove());
  setTimeout(hide, 12_000);
}

export function errorCount(): number {
  return entries.length;
}

export function onErrorsChanged(listener: () => void): void {
  listeners.add(listener);
}

export function toggleErrorPanel(): void {
  if (panel) {
    panel.remove();
    panel = null;
    return;
  }
  panel = h(
    'section',
    { class: 'error-panel', 'aria-label': 'Errors' },
    h(
      'header',
      {},
      svgIcon(icons.alert),
      `Errors (${entries.length})`,
      h('span', { style: 'flex:1' }),
      h(
        'button',
        {
          class: 'btn ghost',
          onclick: () => {
            entries.length = 0;
            for (const l of listeners) l();
            toggleErrorPanel();
          },
        },
        'Clear',
      ),
      h(
        'button',
        { class: 'btn ghost icon-only', 'aria-label': 'Close', onclick: () => toggleErrorPanel() },
        svgIcon(icons.x),
      ),
    ),
    entries.length === 0 ? h('div', { class: 'entry' }, 'No errors.') : null,
    ...[...entries]
      .reverse()
      .map((e) =>
        h(
          'div',
          { class: 'entry' },
          h('div', { class: 'when' }, `${e.at.toLocaleTimeString()} · ${e.context}`),
          h('pre', {}, e.message),
        ),
      ),
  );
  document.body.append(panel);
}

export function installGlobalErrorHandlers(): void {
  window.addEventListener('error', (e) => showError(e.error ?? e.message, 'Uncaught error'));
  window.addEventListener('unhandledrejection', (e) => showError(e.reason, 'Unhandled promise rejection'));
}
