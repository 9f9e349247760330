/**
 * A keyboard-first picker overlay used by the command palette and the Open dialog: type to filter,
 * ↑/↓ to move, Enter to run, Esc to close.
 */
import { h } from './dom.ts';

export interface PickItem {
  label: string;
  detail?: string;
  group?: string;
  badge?: string;
  shortcut?: string;
  run(): void | Promise<void>;
}

let open: HTMLElement | null = null;

export function closeQuickPick(): void {
  open?.remove();
  open = null;
}

export function isQuickPickOpen(): boolean {
  return open !== null;
}

/** Shows the picker; `items` may be a promise (the list shows "Loading…" meanwhile). */
export function quickPick(opts: {
  placeholder: string;
  items: PickItem[] | Promise<PickItem[]>;
  onError: (err: unknown) => void;
  testId?: string;
}): void {
  closeQuickPick();
  let all: PickItem[] = [];
  let shown: PickItem[] = [];
  let selected = 0;
  const input = h('input', {
    class: 'search',
    placeholder: opts.placeholder,
    'aria-label': opts.placeholder,
    spellcheck: 'false',
  });
  const list = h('div', { class: 'list', role: 'listbox' }, h('div', { class: 'empty' }, 'Loading…'));
  const dialog = h(
    'div',
    { class: 'dialog', role: 'dialog', 'aria-modal': 'true', 'data-testid': opts.testId ?? 'quickpick' },
    input,
    list,
  );
  const overlay = h(
    'div',
    { class: 'overlay', onmousedown: (e: MouseEvent) => e.target === overlay && closeQuickPick() },
    dialog,
  );
  open = overlay;
  document.body.append(overlay);
  input.focus();

  const choose = (item: PickItem | undefined) => {
    if (!item) return;
    closeQuickPick();
    Promise.resolve()
      .then(() => item.run())
      .catch(opts.onError);
  };
  const render = () => {
    const q = input.value.trim().toLowerCase();
    shown = q
      ? all.filter((i) => matches(`${i.label} ${i.detail ?? ''} ${i.group ?? ''}`.toLowerCase(), q))
      : all;
    selected = Math.min(selected, Math.max(0, shown.length - 1));
    list.replaceChildren();
    if (shown.length === 0)
      list.append(h('div', { class: 'empty' }, all.length ? 'No matches' : 'Nothing here yet'));
    let group: string | undefined;
    shown.forEach((item, i) => {
      if (item.group && item.group !== group) {
        group = item.group;
        list.append(h('div', { class: 'group' }, group));
      }
      const row = h(
        'div',
        {
          class: 'row',
          role: 'option',
          'aria-selected': String(i === selected),
          onclick: () => choose(item),
          onmousemove: () => {
            if (selected !== i) {
              selected = i;
              render();
            }
          },
        },
        h(
          'div',
          { class: 'grow' },
          h('span', {}, item.label),
          item.detail ? h('span', { class: 'sub' }, item.detail) : null,
        ),
        item.badge ? h('span', { class: 'badge' }, item.badge) : null,
        item.shortcut ? h('kbd', {}, item.shortcut) : null,
      );
      list.append(row);
      if (i === selected) queueMicrotask(() => row.scrollIntoView({ block: 'nearest' }));
    });
  };
  input.addEventListener('input', () => {
    selected = 0;
    render();
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') selected = Math.min(selected + 1, shown.length - 1);
    else if (e.key === 'ArrowUp') selected = Math.max(selected - 1, 0);
    else if (e.key === 'Enter') return choose(shown[selected]);
    else if (e.key === 'Escape') return closeQuickPick();
    else return;
    e.preventDefault();
    render();
  });
  Promise.resolve(opts.items).then(
    (items) => {
      all = items;
      if (open === overlay) render();
    },
    (err) => {
      closeQuickPick();
      opts.onError(err);
    },
  );
}

/** Subsequence match: "rn al" matches "Run all". */
function matches(text: string, query: string): boolean {
  return query.split(/\s+/).every((word) => {
    let i = 0;
    for (const ch of word) {
      i = text.indexOf(ch, i);
      if (i < 0) return false;
      i += 1;
    }
    return true;
  });
}
