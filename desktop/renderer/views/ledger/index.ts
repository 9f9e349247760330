/**
 * Ledger view: accounts, stakes, escrow and treasury; the hash-chained event log with its verification
 * status, filterable by task and account; selecting an event (or opening a dispute's settlement) shows
 * the balances before → after and animates the token flows of that event (loser → winners/treasury).
 * Identity binding: each account's bound key, and a Proofs panel of sealed commitments with their
 * reveals, marking caught copies (whose penalty flows open like a dispute settlement's).
 * Following a chain (`#/ledger?rpc=<url>&game=<0x…>`): the backend mirrors the game into the data folder
 * (`ledger.follow`, one `ledger sync`), the view polls it and, when settlements arrive, redraws and animates
 * the newest one's token flows.
 * Registers the notebook 'ledger' output renderer.
 */
import type {
  LedgerEventRow,
  LedgerEvents,
  LedgerFollow,
  LedgerIdentity,
  LedgerSnapshot,
} from '../../../shared/api-views.ts';
import { mountFlowDiagram } from '../../components/flow-diagram.ts';
import { fmtDelta, fmtInt, shortDigest } from '../../components/format.ts';
import {
  balanceChanges,
  flowGraph,
  keyFingerprint,
  keysAt,
  partialReturns,
  proofRows,
} from '../../components/ledger-model.ts';
import { renderLedgerOutput } from '../../components/outputs.ts';
import { iconLabel } from '../../shell/icons.ts';
import { registerOutputRenderer } from '../../shell/outputs.ts';
import { registerView, type ViewContext, type ViewHandle } from '../../shell/views.ts';
import { badge, button, errorBox, h, loading, onViewKeys, panel, viewRoot } from '../common.ts';
import { followForm } from './follow-form.ts';

const ICON =
  '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8"><ellipse cx="12" cy="6" rx="7" ry="3"/><path d="M5 6v6c0 1.7 3.1 3 7 3s7-1.3 7-3V6"/><path d="M5 12v6c0 1.7 3.1 3 7 3s7-1.3 7-3v-6"/></svg>';

/** How often a followed chain is synced (the local EVM mines on demand; a testnet block is ~2–12 s). */
const FOLLOW_MS = 1000;
/** Events whose token flows are a settlement worth animating when they arrive from a followed chain. */
const SETTLEMENT_KINDS = new Set(['dispute.settle', 'task.finalize']);

/**
 * The view's entry: mounts the ledger for its params and mounts it afresh when it is re-opened on another
 * file or chain (the shell calls `update` instead of re-mounting a view that is already open).
 */
async function mount(el: HTMLElement, ctx: ViewContext): Promise<ViewHandle> {
  let inner: { abort: AbortController; handle: ViewHandle; key: string } | null = null;
  const keyOf = (p: Readonly<Record<string, string>>) => JSON.stringify([p.path, p.rpc, p.game]);
  const start = async (params: Readonly<Record<string, string>>) => {
    inner?.abort.abort();
    inner?.handle.unmount?.();
    const abort = new AbortController();
    ctx.signal.addEventListener('abort', () => abort.abort());
    const me = { abort, handle: {} as ViewHandle, key: keyOf(params) };
    inner = me;
    me.handle = await mountLedger(el, { ...ctx, params, signal: abort.signal });
  };
  ctx.addCommand({
    id: 'ledger.follow',
    title: 'Ledger: Follow a game on a chain…',
    run: () => el.querySelector<HTMLButtonElement>('[data-role=follow-bar] > button')?.click(),
  });
  await start(ctx.params);
  return {
    update(params) {
      if (inner && keyOf(params) === inner.key) inner.handle.update?.(params);
      else void start(params).catch((err) => ctx.showError(err, 'Ledger view'));
    },
    unmount() {
      inner?.abort.abort();
      inner?.handle.unmount?.();
    },
  };
}

async function mountLedger(el: HTMLElement, ctx: ViewContext): Promise<ViewHandle> {
  const root = viewRoot(el, 'ledger');
  let path = ctx.params.path;
  const following = ctx.params.rpc && ctx.params.game ? { rpc: ctx.params.rpc, game: ctx.params.game } : null;
  let followed: LedgerFollow | null = null;
  const form = followForm(following ?? {}, (rpc, game) => ctx.openView('ledger', { rpc, game }));
  root.append(form.el);
  const body = h('div', {
    style: 'flex:1;min-height:0;overflow:auto;padding:12px;display:flex;flex-direction:column;gap:12px',
  });
  root.append(body);
  loading(body, 'the ledger');
  let latest: LedgerSnapshot;
  let log: LedgerEvents;
  let identity: LedgerIdentity;
  try {
    if (following) {
      followed = await ctx.api.call('ledger.follow', following);
      path = followed.path;
    }
    [latest, log, identity] = await Promise.all([
      ctx.api.call('ledger.snapshot', { path }),
      ctx.api.call('ledger.events', { path }),
      ctx.api.call('ledger.identity', { path }),
    ]);
  } catch (err) {
    errorBox(body, err, 'Could not open the ledger');
    ctx.showError(err, 'Ledger view');
    return {};
  }
  body.innerHTML = '';
  root.dataset.path = latest.path;
  const names = new Map(latest.accounts.map((a) => [a.id, a.name]));
  const followBadge = h('div', { 'data-role': 'follow', role: 'status', style: 'font-size:12px' });
  if (following) body.append(followBadge);
  function drawFollow(problem?: string): void {
    if (!followed) return;
    followBadge.innerHTML = '';
    followBadge.append(
      badge(
        problem ? 'warn' : 'info',
        problem
          ? `⚠ following ${shortDigest(followed.game)} on ${followed.rpc}: ${problem}`
          : `● following game ${shortDigest(followed.game)} on ${followed.rpc} (chain ${followed.chainId}) · block ${followed.block} · ${followed.actions} chain actions mirrored`,
      ),
    );
    followBadge.dataset.block = String(followed.block);
    followBadge.dataset.actions = String(followed.actions);
  }

  // Totals strip.
  const totals = h('div', { style: 'display:flex;gap:10px;flex-wrap:wrap', 'data-role': 'totals' });
  body.append(totals);
  function drawTotals(s: LedgerSnapshot): void {
    const staked = s.accounts.reduce((a, x) => a + x.staked, 0);
    const bal = s.accounts.reduce((a, x) => a + x.balance, 0);
    totals.innerHTML = '';
    const card = (k: string, v: string, extra?: HTMLElement) =>
      totals.append(
        h(
          'div',
          { class: 'pp-panel', style: 'padding:8px 14px;min-width:110px' },
          h(
            'div',
            { class: 'pp-muted', style: 'font-size:11px;text-transform:uppercase;letter-spacing:.06em' },
            k,
          ),
          h('div', { class: 'pp-mono', style: 'font-size:18px;margin-top:2px' }, v),
          extra ?? null,
        ),
      );
    card('minted', fmtInt(s.minted));
    card('balances', fmtInt(bal));
    card('staked', fmtInt(staked));
    card('escrow', fmtInt(s.escrow));
    card('treasury', fmtInt(s.treasury));
    card('at event', `${s.at} / ${s.lastSeq}`);
    totals.append(
      h(
        'div',
        { style: 'display:flex;flex-direction:column;gap:6px;justify-content:center' },
        badge(
          s.invariantOk ? 'ok' : 'bad',
          s.invariantOk ? '✓ supply invariant holds' : '✗ supply invariant broken',
        ),
        badge(
          log.chain.ok ? 'ok' : 'bad',
          log.chain.ok
            ? `✓ hash chain verified (${log.chain.checked} events)`
            : `✗ hash chain broken at event ${log.chain.firstBad}`,
        ),
      ),
    );
  }

  const grid = h('div', {
    style: 'display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1.2fr);gap:12px',
  });
  const accHost = h('div', { 'data-role': 'accounts' });
  const flowHost = h('div', { 'data-role': 'flows', style: 'min-height:200px' });
  const flowTitle = h('span', {}, 'Token flows');
  const replayBtn = button(
    iconLabel('replay', 'Replay animation'),
    'Replay the token flow animation',
    () => void flow?.play(),
  );
  replayBtn.style.marginLeft = 'auto';
  const flowPanel = h('section', { class: 'pp-panel' }, h('h3', {}, flowTitle, replayBtn), flowHost);
  grid.append(panel('Accounts', accHost), flowPanel);
  body.append(grid);

  // Filters + event log.
  const taskSel = h(
    'select',
    { class: 'pp-select', 'aria-label': 'Filter by task', 'data-role': 'filter-task' },
    h('option', { value: '' }, 'all tasks'),
  );
  const accSel = h(
    'select',
    { class: 'pp-select', 'aria-label': 'Filter by account', 'data-role': 'filter-account' },
    h('option', { value: '' }, 'all accounts'),
  );
  function drawFilterOptions(): void {
    const keep = [taskSel.value, accSel.value];
    for (const sel of [taskSel, accSel]) while (sel.options.length > 1) sel.remove(1);
    for (const t of latest.tasks) taskSel.append(h('option', { value: t.id }, `${t.id} (${t.state})`));
    for (const a of latest.accounts) accSel.append(h('option', { value: a.id }, a.name));
    [taskSel.value, accSel.value] = keep;
  }
  drawFilterOptions();
  const evHost = h('div', { style: 'max-height:340px;overflow:auto' });
  const proofsHost = h('div', { 'data-role': 'proofs', style: 'max-height:260px;overflow:auto' });
  body.append(
    h(
      'section',
      { class: 'pp-panel', 'aria-label': 'Proofs: sealed commitments and reveals' },
      h(
        'h3',
        {},
        'Proofs · commit-then-reveal',
        h(
          'span',
          {
            class: 'pp-muted',
            style: 'margin-left:auto;text-transform:none;letter-spacing:0;font-weight:normal',
          },
          'a reveal sealed after another account revealed the same run is a copy',
        ),
      ),
      proofsHost,
    ),
  );
  const disputesHost = h('div');
  const tasksHost = h('div', { 'data-role': 'tasks' }, tasksTable(latest));
  const lower = h('div', {
    style: 'display:grid;grid-template-columns:minmax(0,1.6fr) minmax(0,1fr);gap:12px',
  });
  lower.append(
    h(
      'section',
      { class: 'pp-panel' },
      h(
        'h3',
        {},
        'Event log',
        h(
          'span',
          { style: 'margin-left:auto;display:flex;gap:6px;text-transform:none;letter-spacing:0' },
          taskSel,
          accSel,
        ),
      ),
      evHost,
    ),
    h(
      'div',
      { style: 'display:flex;flex-direction:column;gap:12px' },
      panel('Disputes', disputesHost),
      panel('Tasks', tasksHost),
    ),
  );
  body.append(lower);

  let events = log.events;
  let selSeq: number | null = null;
  let flow: { play(): Promise<void>; destroy(): void } | null = null;
  let seq = 0;

  function drawAccounts(after: LedgerSnapshot, before: LedgerSnapshot | null): void {
    const changes = balanceChanges(before?.accounts ?? after.accounts, after.accounts);
    const t = h('table', { class: 'pp-table' });
    t.innerHTML = `<thead><tr><th>account</th><th>key</th><th class="num">balance</th><th class="num">staked</th>${before ? '<th class="num">change</th>' : ''}</tr></thead>`;
    const tb = h('tbody');
    const keys = keysAt(identity.keys, after.at);
    for (const c of changes) {
      const key = keys.get(c.id);
      const bal =
        before && c.balanceBefore !== c.balanceAfter
          ? `${fmtInt(c.balanceBefore)} → ${fmtInt(c.balanceAfter)}`
          : fmtInt(c.balanceAfter);
      const st =
        before && c.stakedBefore !== c.stakedAfter
          ? `${fmtInt(c.stakedBefore)} → ${fmtInt(c.stakedAfter)}`
          : fmtInt(c.stakedAfter);
      const tr = h(
        'tr',
        { 'data-account': c.id },
        h('td', {}, c.name),
        key
          ? h(
              'td',
              {
                class: 'pp-mono',
                'data-role': 'key',
                title: `Ed25519 key ${key.publicKey}, bound at event #${key.seq}`,
              },
              keyFingerprint(key.publicKey),
            )
          : h('td', { class: 'pp-muted', 'data-role': 'key' }, 'no key'),
        h('td', { class: 'num', 'data-role': 'balance' }, bal),
        h('td', { class: 'num' }, st),
      );
      if (before) {
        const cls = c.delta > 0 ? 'pp-ok' : c.delta < 0 ? 'pp-bad' : 'pp-muted';
        tr.append(
          h(
            'td',
            { class: `num ${cls}`, 'data-role': 'delta' },
            `${c.delta > 0 ? '▲ ' : c.delta < 0 ? '▼ ' : ''}${fmtDelta(c.delta)}`,
          ),
        );
      }
      tb.append(tr);
    }
    t.append(tb);
    accHost.innerHTML = '';
    if (before)
      accHost.append(
        h(
          'div',
          { class: 'pp-muted', style: 'padding:6px 12px;font-size:12px' },
          `before → after event ${after.at} (balance + staked change)`,
        ),
      );
    accHost.append(t);
  }

  function drawEvents(): void {
    const t = h('table', { class: 'pp-table', 'aria-label': 'Event log' });
    t.innerHTML =
      '<thead><tr><th class="num">#</th><th>event</th><th>task</th><th>summary</th><th>hash</th><th>chain</th></tr></thead>';
    const tb = h('tbody');
    for (const e of events) {
      const tr = h(
        'tr',
        { 'data-seq': e.seq, tabindex: 0, style: 'cursor:pointer', class: e.seq === selSeq ? 'sel' : '' },
        h('td', { class: 'num' }, String(e.seq)),
        h('td', {}, e.kind),
        h('td', {}, e.task ?? ''),
        h('td', {}, e.summary),
        h('td', { class: 'pp-mono', title: e.hash }, shortDigest(e.hash)),
        h('td', { class: e.chainOk ? 'pp-ok' : 'pp-bad' }, e.chainOk ? '✓' : '✗ broken'),
      );
      tr.addEventListener('click', () => void selectEvent(e.seq));
      tr.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter' || ev.key === ' ') {
          ev.preventDefault();
          void selectEvent(e.seq);
        }
      });
      tb.append(tr);
    }
    t.append(tb);
    evHost.innerHTML = '';
    evHost.append(events.length ? t : h('div', { class: 'pp-empty' }, 'No events match the filter.'));
  }

  function drawDisputes(): void {
    disputesHost.innerHTML = '';
    if (latest.disputes.length === 0) {
      disputesHost.append(h('div', { class: 'pp-empty' }, 'No disputes.'));
      return;
    }
    const t = h('table', { class: 'pp-table' });
    t.innerHTML =
      '<thead><tr><th>#</th><th>task</th><th>solver vs challenger</th><th>loser</th><th></th></tr></thead>';
    const tb = h('tbody');
    for (const d of latest.disputes) {
      const cell = h('td', {});
      if (d.settleSeq !== null)
        cell.append(
          button(
            'Show settlement',
            `Show the settlement of dispute ${d.id} (event ${d.settleSeq})`,
            () => void selectEvent(d.settleSeq as number),
          ),
        );
      tb.append(
        h(
          'tr',
          { 'data-dispute': d.id },
          h('td', {}, String(d.id)),
          h('td', {}, d.task),
          h('td', {}, `${names.get(d.solver) ?? d.solver} vs ${names.get(d.challenger) ?? d.challenger}`),
          h('td', { class: d.loser ? 'pp-bad' : 'pp-muted' }, d.loser ?? d.state),
          cell,
        ),
      );
    }
    t.append(tb);
    disputesHost.append(t);
  }

  function drawProofs(): void {
    const rows = proofRows(identity, names, { task: taskSel.value, account: accSel.value });
    proofsHost.innerHTML = '';
    if (rows.length === 0) {
      proofsHost.append(
        h(
          'div',
          { class: 'pp-empty' },
          identity.commitments.length + identity.copies.length
            ? 'No commitments match the filter.'
            : 'No sealed commitments in this ledger (proofs were submitted directly).',
        ),
      );
      return;
    }
    const t = h('table', { class: 'pp-table', 'aria-label': 'Sealed commitments and reveals' });
    t.innerHTML =
      '<thead><tr><th>task</th><th>solver</th><th>sealed commitment</th><th>reveal</th><th>status</th><th></th></tr></thead>';
    const tb = h('tbody');
    for (const r of rows) {
      // Enter on a row opens its most telling event: the copy penalty, else the reveal, else the seal.
      const target = r.copy?.seq ?? r.revealSeq ?? r.sealSeq;
      const cell = h('td', {});
      if (r.copy)
        cell.append(
          button(
            'Show penalty',
            `Show the copy penalty of ${names.get(r.solver) ?? r.solver} on ${r.task} (event ${r.copy.seq})`,
            () => void selectEvent(r.copy?.seq ?? target),
            { 'data-role': 'copy-flows' },
          ),
        );
      const tr = h(
        'tr',
        {
          'data-proof': r.key,
          'data-state': r.state,
          tabindex: 0,
          style: 'cursor:pointer',
          title: `Show event ${target}`,
        },
        h('td', {}, r.task),
        h('td', {}, names.get(r.solver) ?? r.solver),
        h(
          'td',
          { class: 'pp-mono', title: r.sealed ?? 'direct proof.submit (sealed and revealed at once)' },
          r.sealed ? `${shortDigest(r.sealed)} · #${r.sealSeq}` : `direct submit · #${r.sealSeq}`,
        ),
        h('td', {}, r.revealSeq !== null ? `#${r.revealSeq}` : r.state === 'pending' ? 'pending' : '—'),
        h(
          'td',
          {
            'data-role': 'proof-mark',
            class: r.state === 'copy' ? 'pp-bad' : r.state === 'revealed' ? 'pp-ok' : 'pp-muted',
          },
          r.mark,
        ),
        cell,
      );
      tr.addEventListener('click', (ev) => {
        if ((ev.target as HTMLElement).closest('button')) return;
        void selectEvent(target);
      });
      tr.addEventListener('keydown', (ev) => {
        if (ev.target !== tr || (ev.key !== 'Enter' && ev.key !== ' ')) return;
        ev.preventDefault();
        void selectEvent(target);
      });
      tb.append(tr);
    }
    t.append(tb);
    proofsHost.append(t);
  }

  async function selectEvent(s: number): Promise<void> {
    selSeq = s;
    const my = ++seq;
    const keep = evHost.scrollTop;
    drawEvents();
    // Redrawing the table resets its scroll: restore it, then bring the selected row into view —
    // centred in the log, and the log itself into the window if it is scrolled away.
    evHost.scrollTop = keep;
    revealRow(evHost, evHost.querySelector<HTMLElement>(`tr[data-seq="${s}"]`));
    const ev: LedgerEventRow | undefined = log.events.find((e) => e.seq === s);
    let before: LedgerSnapshot;
    let after: LedgerSnapshot;
    try {
      [before, after] = await Promise.all([
        ctx.api.call('ledger.snapshot', { path, at: s - 1 }),
        ctx.api.call('ledger.snapshot', { path, at: s }),
      ]);
    } catch (err) {
      ctx.showError(err, `Ledger at event ${s}`);
      return;
    }
    if (my !== seq || ctx.signal.aborted) return;
    drawTotals(after);
    drawAccounts(after, before);
    flow?.destroy();
    flowHost.innerHTML = '';
    const copy = identity.copies.find((c) => c.seq === s);
    flowTitle.textContent = `Token flows · event ${s}${ev ? ` · ${ev.kind}${ev.task ? ` (${ev.task})` : ''}` : ''}${copy ? ' · ✗ copy penalty' : ''}`;
    // A stake returned only in part is explained (legend line + tooltip of its return flow).
    const partial = partialReturns(ev?.moves ?? [], names, ev?.kind ?? '');
    flow = mountFlowDiagram(flowHost, flowGraph(ev?.moves ?? [], names), {
      title: `Token flows of event ${s}`,
      notes: new Map(partial.map((p) => [`${p.pocket}→${p.owner}`, p.text])),
    });
    if (partial.length)
      flowHost.append(
        h(
          'div',
          { class: 'pp-flow-notes', 'data-role': 'partial-returns' },
          ...partial.map((p) => h('p', { 'data-pocket': p.pocket }, `* ${p.text}`)),
        ),
      );
    // The panels above the log changed height: make sure the selected row is still in view.
    revealRow(evHost, evHost.querySelector<HTMLElement>(`tr[data-seq="${s}"]`));
  }

  let filterSeq = 0;
  async function refilter(): Promise<void> {
    // The Proofs panel filters locally (at once); the event log asks the backend, latest answer wins.
    drawProofs();
    const my = ++filterSeq;
    try {
      const r = await ctx.api.call('ledger.events', {
        path,
        ...(taskSel.value ? { task: taskSel.value } : {}),
        ...(accSel.value ? { account: accSel.value } : {}),
      });
      if (my !== filterSeq) return;
      events = r.events;
      drawEvents();
    } catch (err) {
      ctx.showError(err, 'Filter events');
    }
  }
  taskSel.addEventListener('change', () => void refilter());
  accSel.addEventListener('change', () => void refilter());
  onViewKeys(root, ctx.signal, (ev) => {
    if (selSeq === null) return false;
    const i = events.findIndex((e) => e.seq === selSeq);
    if (ev.key === 'j' || ev.key === 'ArrowDown')
      void selectEvent(events[Math.min(events.length - 1, i + 1)].seq);
    else if (ev.key === 'k' || ev.key === 'ArrowUp') void selectEvent(events[Math.max(0, i - 1)].seq);
    else return false;
    return true;
  });

  /** Re-reads the (grown) ledger, redraws every panel, and animates the newest settlement that arrived. */
  async function refresh(): Promise<void> {
    const oldHead = latest.lastSeq;
    const [s, l, id, filtered] = await Promise.all([
      ctx.api.call('ledger.snapshot', { path }),
      ctx.api.call('ledger.events', { path }),
      ctx.api.call('ledger.identity', { path }),
      ctx.api.call('ledger.events', {
        path,
        ...(taskSel.value ? { task: taskSel.value } : {}),
        ...(accSel.value ? { account: accSel.value } : {}),
      }),
    ]);
    if (ctx.signal.aborted) return;
    [latest, log, identity, events] = [s, l, id, filtered.events];
    for (const a of latest.accounts) names.set(a.id, a.name);
    drawFilterOptions();
    drawDisputes();
    drawProofs();
    tasksHost.innerHTML = '';
    tasksHost.append(tasksTable(latest));
    const copySeqs = new Set(identity.copies.map((c) => c.seq));
    const arrived = log.events.filter(
      (e) => e.seq > oldHead && (SETTLEMENT_KINDS.has(e.kind) || copySeqs.has(e.seq)),
    );
    const newest = arrived.at(-1);
    if (newest) await selectEvent(newest.seq);
    else {
      drawTotals(latest);
      if (selSeq === null) drawAccounts(latest, null);
      drawEvents();
    }
  }

  let polling: ReturnType<typeof setTimeout> | undefined;
  async function poll(): Promise<void> {
    if (!following || ctx.signal.aborted) return;
    try {
      followed = await ctx.api.call('ledger.follow', following);
      drawFollow();
      if (followed.appended > 0) await refresh();
    } catch (err) {
      drawFollow((err as Error).message);
    }
    if (!ctx.signal.aborted) polling = setTimeout(() => void poll(), FOLLOW_MS);
  }

  drawFollow();
  drawTotals(latest);
  drawAccounts(latest, null);
  drawEvents();
  drawDisputes();
  drawProofs();
  flowHost.append(
    h(
      'div',
      { class: 'pp-empty' },
      'Select an event (or “Show settlement” of a dispute) to see where its tokens went.',
    ),
  );
  const wanted =
    ctx.params.dispute !== undefined
      ? latest.disputes.find((d) => String(d.id) === ctx.params.dispute)
      : undefined;
  if (wanted?.settleSeq) await selectEvent(wanted.settleSeq);
  else if (ctx.params.event) await selectEvent(Number(ctx.params.event));
  if (following) polling = setTimeout(() => void poll(), FOLLOW_MS);
  return {
    update(params: Readonly<Record<string, string>>) {
      const d = latest.disputes.find((x) => String(x.id) === params.dispute);
      if (d?.settleSeq) void selectEvent(d.settleSeq);
    },
    unmount() {
      clearTimeout(polling);
      flow?.destroy();
    },
  };
}

/**
 * Scrolls `row` to the middle of its scrolling `log`, then the log into the window when it is (partly)
 * outside it, so a selected event is visible whichever panel it was selected from.
 */
function revealRow(log: HTMLElement, row: HTMLElement | null): void {
  if (!row) return;
  const c = log.getBoundingClientRect();
  const r = row.getBoundingClientRect();
  log.scrollTop += r.top + r.height / 2 - (c.top + c.height / 2);
  const after = row.getBoundingClientRect();
  const view = row.ownerDocument.defaultView;
  if (view && (after.top < 0 || after.bottom > view.innerHeight)) row.scrollIntoView({ block: 'nearest' });
}

function tasksTable(s: LedgerSnapshot): HTMLElement {
  const t = h('table', { class: 'pp-table' });
  t.innerHTML =
    '<thead><tr><th>task</th><th>state</th><th>solver</th><th class="num">bounty</th><th class="num">escrow</th></tr></thead>';
  const tb = h('tbody');
  for (const x of s.tasks) {
    tb.append(
      h(
        'tr',
        {},
        h('td', {}, x.id),
        h('td', {}, x.state),
        h('td', {}, x.solver ?? '—'),
        h('td', { class: 'num' }, fmtInt(x.bounty)),
        h('td', { class: 'num' }, fmtInt(x.escrow)),
      ),
    );
  }
  t.append(tb);
  return t;
}

registerView({ id: 'ledger', title: 'Ledger', order: 50, icon: ICON, mount });
registerOutputRenderer('ledger', (el, output) => renderLedgerOutput(el, output));
