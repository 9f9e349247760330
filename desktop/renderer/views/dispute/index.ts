/**
 * Dispute replay: pick a recorded transcript (from the ledger, a file or the demo) and animate it —
 * phase 1 over the steps, phase 2 over the disputed step's graph, the referee's recomputation and the
 * verdict — with play/pause/step/speed and the cost panel. Registers the notebook 'dispute' renderer.
 */
import type { DisputeEntry, DisputeReplay } from '../../../shared/api-views.ts';
import { renderDisputeOutput } from '../../components/outputs.ts';
import { mountTranscriptPlayer, type TranscriptPlayer } from '../../components/transcript-player.ts';
import { registerOutputRenderer } from '../../shell/outputs.ts';
import { registerView, type ViewContext } from '../../shell/views.ts';
import { badge, button, errorBox, h, loading, selection, viewRoot } from '../common.ts';

const ICON =
  '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8"><path d="M12 3v18M5 7h14"/><path d="M5 7l-3 6a3 3 0 006 0zM19 7l-3 6a3 3 0 006 0z"/></svg>';

async function mount(el: HTMLElement, ctx: ViewContext) {
  const root = viewRoot(el, 'dispute');
  const picker = h('select', {
    class: 'pp-select',
    'aria-label': 'Dispute transcript',
    'data-role': 'dispute-picker',
    style: 'min-width:320px',
  });
  const source = h('span', { class: 'pp-muted' });
  const toLedger = button(
    'See the stakes move in the Ledger →',
    'Open the ledger at this dispute’s settlement',
    () => openLedger(),
    { 'data-role': 'to-ledger' },
  );
  toLedger.style.display = 'none';
  const toGraph = button(
    'Inspect the op in the Graph view →',
    'Open the pinpointed op on the proof’s step graph',
    () => openGraph(),
    { 'data-role': 'to-graph' },
  );
  toGraph.style.display = 'none';
  root.append(
    h(
      'div',
      { class: 'pp-toolbar' },
      h('strong', {}, 'Dispute'),
      picker,
      source,
      h('span', { class: 'pp-spacer' }),
      toGraph,
      toLedger,
    ),
  );
  const host = h('div', { style: 'flex:1;min-height:0;overflow:auto' });
  root.append(host);

  let entries: DisputeEntry[] = [];
  let replay: DisputeReplay | null = null;
  let player: TranscriptPlayer | null = null;
  loading(host, 'disputes');
  try {
    entries = await ctx.api.call('dispute.list', {});
  } catch (err) {
    errorBox(host, err, 'Could not list disputes');
    ctx.showError(err, 'Dispute view');
    return {};
  }
  if (entries.length === 0) {
    host.innerHTML = '';
    host.append(
      h(
        'div',
        { class: 'pp-empty' },
        'No dispute transcripts yet. Run `pinpoint dispute` or open the demo ledger.',
      ),
    );
    return {};
  }
  // A transcript file opened from the shell (#/dispute?path=…) joins the list.
  if (ctx.params.path && !entries.some((e) => e.id === `file:${ctx.params.path}`)) {
    entries.unshift({
      id: `file:${ctx.params.path}`,
      title: ctx.params.path.split(/[\\/]/).pop() ?? ctx.params.path,
      source: 'file',
      task: '',
      outcome: 'transcript file',
    });
  }
  for (const e of entries) picker.append(h('option', { value: e.id }, `${e.title} — ${e.outcome}`));

  async function open(id: string): Promise<void> {
    picker.value = id;
    selection.disputeId = id;
    player?.destroy();
    player = null;
    toLedger.style.display = 'none';
    toGraph.style.display = 'none';
    loading(host, 'the transcript');
    try {
      replay = await ctx.api.call('dispute.load', { id });
    } catch (err) {
      errorBox(host, err, 'Could not load the dispute');
      return;
    }
    if (ctx.signal.aborted) return;
    host.innerHTML = '';
    const e = entries.find((x) => x.id === id);
    source.innerHTML = '';
    source.append(
      badge('info', e?.source ?? 'file'),
      ` task ${replay.transcript.task} · ${replay.transcript.mode} mode`,
    );
    if ((replay.transcript as unknown as { synthetic?: boolean }).synthetic)
      source.append(' ', badge('warn', 'synthetic transcript'));
    player = mountTranscriptPlayer(host, replay.transcript, {
      graph: replay.graph,
      signal: ctx.signal,
      autoplay: ctx.params.autoplay === '1',
      onVerdict: () => {
        if (replay?.ledgerDispute !== null) toLedger.style.display = '';
        const v = replay?.transcript.verdict;
        if (replay?.proofPath && v && typeof v.step === 'number' && typeof v.op === 'number') {
          toGraph.textContent = `Inspect step ${v.step} · op #${v.op} in the Graph view →`;
          toGraph.style.display = '';
        }
        ctx.showStatus(`Verdict: ${player?.model.verdict.headline ?? ''}`);
      },
    });
    (host.querySelector('.pp-player') as HTMLElement | null)?.focus({ preventScroll: true });
  }

  function openGraph(): void {
    const v = replay?.transcript.verdict;
    if (!replay?.proofPath || !v || typeof v.step !== 'number' || typeof v.op !== 'number') return;
    ctx.openView('graph', { path: replay.proofPath, step: String(v.step), node: String(v.op) });
  }

  function openLedger(): void {
    if (!replay || replay.ledgerDispute === null) return;
    ctx.openView('ledger', {
      dispute: String(replay.ledgerDispute),
      ...(replay.ledgerPath ? { path: replay.ledgerPath } : {}),
    });
  }

  picker.addEventListener('change', () => void open(picker.value));
  ctx.addCommand({
    id: 'dispute.play',
    title: 'Dispute: play / pause',
    shortcut: 'Space',
    run: () => player?.play(),
  });
  ctx.addCommand({
    id: 'dispute.verdict',
    title: 'Dispute: jump to verdict',
    shortcut: 'End',
    run: () => player?.seek(player.model.frames.length - 1),
  });
  const want = ctx.params.id ?? (ctx.params.path ? `file:${ctx.params.path}` : selection.disputeId);
  await open(want && entries.some((e) => e.id === want) ? want : entries[0].id);
  return {
    update(params: Readonly<Record<string, string>>) {
      if (params.id && params.id !== picker.value) void open(params.id);
    },
    unmount() {
      player?.destroy();
    },
  };
}

registerView({ id: 'dispute', title: 'Dispute', order: 40, icon: ICON, mount });
registerOutputRenderer('dispute', (el, output) => renderDisputeOutput(el, output));
