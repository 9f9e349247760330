/**
 * "Follow chain…": a small form above the Ledger view (and a palette command) for following a
 * PinpointGame on an EVM RPC URL — the same as opening `#/ledger?rpc=<url>&game=<0x…>`. The backend
 * checks both again (desktop/main/backend/chain-follow.ts); this only catches typos early.
 */
import { button, h } from '../common.ts';

export interface FollowForm {
  el: HTMLElement;
  /** Shows the form and focuses its first field. */
  open(): void;
}

export function followForm(
  initial: { rpc?: string; game?: string },
  onFollow: (rpc: string, game: string) => void,
): FollowForm {
  const rpc = h('input', {
    class: 'pp-input',
    type: 'url',
    placeholder: 'http://127.0.0.1:8545',
    'aria-label': 'RPC URL',
    'data-role': 'follow-rpc',
    style: 'width:240px',
  });
  rpc.value = initial.rpc ?? '';
  const game = h('input', {
    class: 'pp-input pp-mono',
    placeholder: '0x… game contract address',
    'aria-label': 'Game address',
    'data-role': 'follow-game',
    style: 'width:360px',
  });
  game.value = initial.game ?? '';
  const problem = h('span', { class: 'pp-bad', role: 'alert', 'data-role': 'follow-problem' });
  const submit = h('button', { type: 'submit', class: 'pp-btn' }, 'Follow');
  const form = h(
    'form',
    {
      'data-role': 'follow-form',
      'aria-label': 'Follow a game on a chain',
      style: 'display:none;gap:6px;align-items:center;flex-wrap:wrap',
    },
    rpc,
    game,
    submit,
    problem,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const u = rpc.value.trim();
    const g = game.value.trim();
    if (!/^https?:\/\/\S+$/i.test(u)) problem.textContent = 'the RPC URL must start with http:// or https://';
    else if (!/^0x[0-9a-fA-F]{40}$/.test(g)) problem.textContent = 'the game address is 0x and 40 hex digits';
    else {
      problem.textContent = '';
      onFollow(u, g);
    }
  });
  const open = () => {
    form.style.display = 'flex';
    rpc.focus();
  };
  const toggle = button('Follow chain…', 'Follow a game on an EVM RPC URL (live mirror)', () => {
    if (form.style.display === 'none') open();
    else form.style.display = 'none';
  });
  const el = h(
    'div',
    {
      'data-role': 'follow-bar',
      style: 'display:flex;gap:8px;align-items:center;flex-wrap:wrap;padding:8px 12px 0',
    },
    toggle,
    form,
  );
  return { el, open };
}
