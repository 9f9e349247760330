/**
 * Dispute replay player: animates a transcript frame by frame (transcript-model.ts) —
 * phase 1 the step interval closing on the timeline with both parties' state digests, phase 2 the op
 * interval closing over the step graph's topological order (nodes highlighted on the graph canvas),
 * then the referee's recomputation and the verdict; play/pause/step/speed, a cost panel and the
 * round log. Keys (when the player has focus): Space play/pause, ←/→ step, Home/End.
 */
import * as d3 from 'd3';
import type { Transcript } from '../../../core/dispute/transcript.ts';
import { accessibleName, iconLabel } from '../shell/icons.ts';
import { fmtBytes, fmtInt, shortDigest } from './format.ts';
import { type CanvasNode, type GraphCanvas, mountGraphCanvas, type NodeMark } from './graph-canvas.ts';
import { ensureStyles } from './styles.ts';
import { phase1Axis, type ReplayFrame, type ReplayModel, replayModel } from './transcript-model.ts';

export interface PlayerOptions {
  /** Public graph of the disputed step (phase-2 animation over the graph). */
  graph?: readonly (Omit<CanvasNode, 'digest'> & { digest?: string })[] | null;
  /** Milliseconds per frame at 1× (default 1100). */
  frameMs?: number;
  autoplay?: boolean;
  onFrame?(frame: ReplayFrame, model: ReplayModel): void;
  /** Called once when the verdict frame is shown. */
  onVerdict?(model: ReplayModel): void;
  signal?: AbortSignal;
}

export interface TranscriptPlayer {
  readonly model: ReplayModel;
  play(): void;
  pause(): void;
  step(delta: number): void;
  seek(index: number): void;
  current(): number;
  setSpeed(x: number): void;
  destroy(): void;
}

export function mountTranscriptPlayer(
  el: HTMLElement,
  transcript: Transcript,
  opts: PlayerOptions = {},
): TranscriptPlayer {
  ensureStyles(el.ownerDocument);
  const model = replayModel(transcript);
  const frames = model.frames;
  const T = Math.max(1, model.totalSteps);
  const N = opts.graph?.length ?? model.opCount ?? 1;
  const root = d3.select(el).append('div').attr('class', 'pp pp-player').attr('tabindex', -1);

  // Toolbar.
  const bar = root
    .append('div')
    .attr('class', 'pp-toolbar')
    .attr('role', 'toolbar')
    .attr('aria-label', 'Replay controls');
  // Icons from the app's SVG set (⏮/⏸/⏭ are missing from common fonts and render as boxes). An
  // icon-only control is named by its tooltip without the shortcut; one with text, by the text.
  const mk = (label: string, title: string, fn: () => void) => {
    const b = bar
      .append('button')
      .attr('type', 'button')
      .attr('class', 'pp-btn')
      .attr('title', title)
      .html(label)
      .on('click', fn);
    if (!b.text().trim()) b.attr('aria-label', accessibleName(title));
    return b;
  };
  mk(iconLabel('skipStart', '', true), 'Restart (Home)', () => seek(0));
  mk(iconLabel('prev', '', true), 'Previous round (←)', () => step(-1));
  const playBtn = mk(iconLabel('play', 'Play'), 'Play / pause (Space)', () => (timer ? pause() : play()))
    .attr('class', 'pp-btn primary')
    .attr('data-role', 'play');
  mk(iconLabel('next', '', true), 'Next round (→)', () => step(1)).attr('data-role', 'next');
  mk(iconLabel('skipEnd', '', true), 'Jump to verdict (End)', () => seek(frames.length - 1)).attr(
    'data-role',
    'end',
  );
  bar.append('label').attr('class', 'pp-muted').attr('for', 'pp-speed').text('Speed');
  const speedSel = bar
    .append('select')
    .attr('class', 'pp-select')
    .attr('id', 'pp-speed')
    .attr('aria-label', 'Replay speed');
  for (const s of [0.5, 1, 2, 4, 8])
    speedSel
      .append('option')
      .attr('value', s)
      .property('selected', s === 1)
      .text(`${s}×`);
  speedSel.on('change', () => setSpeed(Number(speedSel.property('value'))));
  const progress = bar
    .append('input')
    .attr('type', 'range')
    .attr('class', 'progress')
    .attr('min', 0)
    .attr('max', frames.length - 1)
    .attr('value', 0)
    .attr('aria-label', 'Replay position');
  progress.on('input', () => seek(Number(progress.property('value'))));
  const counter = bar.append('span').attr('class', 'pp-muted pp-mono').attr('data-role', 'counter');

  const narr = root
    .append('div')
    .attr('class', 'narr')
    .attr('aria-live', 'polite')
    .attr('data-role', 'narration');
  const stage = root.append('div').attr('class', 'stage');
  const left = stage.append('div').attr('class', 'col');
  const right = stage.append('div').attr('class', 'col');

  // Phase-1 and phase-2 tracks.
  const trackPanel = left.append('div').attr('class', 'pp-panel');
  trackPanel.append('h3').text('Bisection');
  const TW = 760;
  const track = trackPanel
    .append('svg')
    .attr('class', 'track')
    .attr('viewBox', `0 0 ${TW} 150`)
    .attr('width', '100%')
    .attr('role', 'img');
  const axis1 = phase1Axis(T);
  const x1 = d3
    .scaleLinear()
    .domain(axis1.domain)
    .range([20, TW - 20]);
  const x2 = d3
    .scaleLinear()
    .domain([0, N])
    .range([20, TW - 20]);
  const row = (
    y: number,
    title: string,
    scale: d3.ScaleLinear<number, number>,
    dom: [number, number],
    ticks: number | number[],
  ) => {
    const g = track.append('g').attr('transform', `translate(0,${y})`);
    g.append('text').attr('class', 'title').attr('x', 20).attr('y', -8).text(title);
    g.append('rect')
      .attr('class', 'base')
      .attr('x', scale(dom[0]))
      .attr('width', scale(dom[1]) - scale(dom[0]))
      .attr('height', 22)
      .attr('rx', 3);
    const agreed = g
      .append('rect')
      .attr('class', 'agreed')
      .attr('height', 22)
      .attr('x', scale(dom[0]))
      .attr('width', 0);
    const disputed = g
      .append('rect')
      .attr('class', 'disputed')
      .attr('height', 22)
      .attr('x', scale(dom[1]))
      .attr('width', 0);
    const interval = g
      .append('rect')
      .attr('class', 'interval')
      .attr('height', 22)
      .attr('rx', 3)
      .attr('x', scale(dom[0]))
      .attr('width', scale(dom[1]) - scale(dom[0]));
    const probe = g
      .append('line')
      .attr('class', 'probe')
      .attr('y1', -3)
      .attr('y2', 25)
      .style('display', 'none');
    const pin = g
      .append('path')
      .attr('class', 'pin')
      .attr('d', d3.symbol(d3.symbolDiamond, 90)())
      .style('display', 'none');
    g.append('g')
      .attr('transform', 'translate(0,26)')
      .call((sel) => {
        const axis = d3.axisBottom(scale).tickFormat(d3.format('d')).tickSizeOuter(0);
        sel.call(Array.isArray(ticks) ? axis.tickValues(ticks) : axis.ticks(ticks));
      })
      .call((a) => a.select('.domain').remove());
    const label = g
      .append('text')
      .attr('x', TW - 20)
      .attr('y', -8)
      .attr('text-anchor', 'end');
    return { agreed, disputed, interval, probe, pin, label };
  };
  const r1 = row(26, `Phase 1 · steps (T = ${T})`, x1, axis1.domain, axis1.ticks);
  const r2 = row(100, `Phase 2 · ops of the disputed step (N = ${N})`, x2, [0, N], Math.min(N, 12));
  track.attr('aria-label', `Phase 1 over ${T} steps, phase 2 over ${N} ops`);

  let canvas: GraphCanvas | null = null;
  if (opts.graph && opts.graph.length > 0) {
    const gp = left
      .append('div')
      .attr('class', 'pp-panel')
      .style('flex', '1')
      .style('min-height', '300px')
      .style('display', 'flex')
      .style('flex-direction', 'column');
    gp.append('h3').text('Disputed step graph — ops still in the interval are highlighted');
    const host = gp
      .append('div')
      .style('flex', '1')
      .style('min-height', '280px')
      .style('position', 'relative');
    canvas = mountGraphCanvas(host.node() as HTMLElement, opts.graph, {
      title: 'Disputed step graph',
      layout: { chunk: 36 },
      minimap: opts.graph.length > 80,
    });
    // The whole (small) step graph first; the descent then zooms to the pinpointed op.
    void canvas.fit(0);
  }

  // Right column: parties, cost, verdict.
  const parties = right.append('div').attr('class', 'pp-panel');
  parties.append('h3').text('Answers this round');
  const partyBody = parties.append('div').attr('class', 'pp-kv').attr('data-role', 'parties');
  const costPanel = right.append('div').attr('class', 'pp-panel');
  costPanel.append('h3').text('Cost');
  const costBody = costPanel.append('dl').attr('class', 'pp-kv').attr('data-role', 'cost');
  const verdictPanel = right.append('div').attr('class', 'pp-panel').style('display', 'none');
  verdictPanel.append('h3').text('Verdict');
  const verdictBody = verdictPanel.append('div').attr('class', 'verdict').attr('data-role', 'verdict');

  // Round log.
  const logPanel = root.append('div').attr('class', 'pp-panel').style('margin', '0 10px 10px');
  logPanel
    .append('h3')
    .text(
      `Transcript · ${frames.length} frames · ${transcript.parties.solver} (solver) vs ${transcript.parties.challenger} (challenger)`,
    );
  const table = logPanel.append('div').attr('class', 'rounds').append('table').attr('class', 'pp-table');
  table
    .append('thead')
    .html(
      '<tr><th class="num">#</th><th>stage</th><th>round</th><th>solver</th><th>challenger</th><th>result</th></tr>',
    );
  const rows = table
    .append('tbody')
    .selectAll('tr')
    .data(frames)
    .join('tr')
    .style('cursor', 'pointer')
    .on('click', (_e, f) => seek(f.index));
  rows
    .append('td')
    .attr('class', 'num')
    .text((f) => f.index + 1);
  rows.append('td').text((f) => f.stage);
  rows.append('td').text((f) => f.title);
  rows
    .append('td')
    .attr('class', 'pp-mono')
    .text((f) => (f.solver ? (f.solver.fault ? `✗ ${f.solver.status}` : shortDigest(f.solver.digest)) : ''));
  rows
    .append('td')
    .attr('class', 'pp-mono')
    .text((f) =>
      f.challenger
        ? f.challenger.fault
          ? `✗ ${f.challenger.status}`
          : shortDigest(f.challenger.digest)
        : '',
    );
  rows.append('td').text((f) => agreeText(f));

  let cur = -1;
  let speed = 1;
  let timer: ReturnType<typeof setInterval> | null = null;
  let verdictShown = false;
  const dur = () => Math.max(80, (opts.frameMs ?? 1100) / speed) * 0.7;

  function drawTrack(
    r: ReturnType<typeof row>,
    scale: d3.ScaleLinear<number, number>,
    iv: { lo: number; hi: number } | null,
    dom: [number, number],
    phase2: boolean,
    probe: number | null,
    done: boolean,
  ) {
    const t = d3.transition().duration(dur()).ease(d3.easeCubicInOut);
    if (!iv) {
      r.interval
        .transition(t)
        .attr('x', scale(dom[0]))
        .attr('width', scale(dom[1]) - scale(dom[0]))
        .style('opacity', 0.35);
      r.agreed.transition(t).attr('width', 0);
      r.disputed.transition(t).attr('x', scale(dom[1])).attr('width', 0);
      r.label.text('');
      r.probe.style('display', 'none');
      r.pin.style('display', 'none');
      return;
    }
    // Phase 1: (lo, hi] — agreed up to lo, disagreement from hi. Phase 2: [lo, hi).
    const a = phase2 ? iv.lo : iv.lo + 0.5;
    const b = phase2 ? iv.hi : iv.hi + 0.5;
    r.interval
      .transition(t)
      .attr('x', scale(a))
      .attr('width', Math.max(3, scale(b) - scale(a)))
      .style('opacity', 1);
    r.agreed.transition(t).attr('width', Math.max(0, scale(a) - scale(dom[0])));
    r.disputed
      .transition(t)
      .attr('x', scale(b))
      .attr('width', Math.max(0, scale(dom[1]) - scale(b)));
    r.label.text(
      phase2
        ? `first differing op in [${iv.lo}, ${iv.hi})`
        : `agreed after ${iv.lo < 0 ? 'init' : `step ${iv.lo}`} · disagree after step ${iv.hi}`,
    );
    if (probe !== null)
      r.probe
        .style('display', null)
        .transition(t)
        .attr('x1', scale(probe + (phase2 ? 0 : 0.5)))
        .attr('x2', scale(probe + (phase2 ? 0 : 0.5)));
    else r.probe.style('display', 'none');
    if (done) {
      r.pin
        .style('display', null)
        .attr('transform', `translate(${phase2 ? scale(iv.lo + 0.5) : scale(iv.hi)},-2)`)
        .append('title')
        .text(phase2 ? `op #${iv.lo}` : `step ${iv.hi}`);
    } else r.pin.style('display', 'none');
  }

  function render(i: number): void {
    const f = frames[i];
    cur = i;
    progress.property('value', i);
    counter.text(`${i + 1} / ${frames.length}`);
    narr.html('');
    narr.append('strong').text(f.title);
    if (f.note) narr.append('span').attr('class', 'pp-muted').text(` — ${f.note}`);
    const stepsDone = f.steps !== null && f.steps.hi - f.steps.lo <= 1;
    drawTrack(r1, x1, f.steps, axis1.domain, false, f.probeStep, stepsDone);
    const opsDone = f.ops !== null && f.ops.hi - f.ops.lo <= 1;
    drawTrack(
      r2,
      x2,
      f.ops,
      [0, N],
      true,
      f.probeOps
        ? f.probeOps[0] +
            (f.probeOps[1] - f.probeOps[0] > 1 ? Math.floor((f.probeOps[1] - f.probeOps[0]) / 2) : 0)
        : null,
      opsDone,
    );
    if (canvas) {
      if (f.ops) {
        const ids = new Set<number>();
        for (let k = f.ops.lo; k < f.ops.hi; k++) ids.add(k);
        canvas.highlight(ids);
        const marks = new Map<number, NodeMark>();
        if (opsDone) marks.set(f.ops.lo, 'culprit');
        canvas.setMarks(marks);
        if (f.ops.hi - f.ops.lo <= 8) void canvas.focusNode(f.ops.lo, dur());
      } else {
        canvas.highlight(null);
        canvas.setMarks(new Map());
      }
    }
    // Answers.
    partyBody.html('');
    const line = (role: string, a: ReplayFrame['solver']) => {
      partyBody.append('dt').text(role);
      const dd = partyBody.append('dd');
      if (!a) dd.attr('class', 'pp-muted').text('—');
      else if (a.fault) dd.attr('class', 'pp-bad').text(`✗ ${a.fault}`);
      else dd.text(a.digest ? shortDigest(a.digest, 16) : a.status).attr('title', a.digest ?? '');
    };
    line('solver', f.solver);
    line('challenger', f.challenger);
    partyBody.append('dt').text('result');
    partyBody
      .append('dd')
      .attr('class', f.agree === null ? 'pp-muted' : f.agree ? 'pp-ok' : 'pp-bad')
      .text(f.agree === null ? '—' : agreeText(f));
    // Cost so far (and the final report at the end).
    costBody.html('');
    const c = transcript.cost;
    const kv = (k: string, v: string) => {
      costBody.append('dt').text(k);
      costBody.append('dd').text(v);
    };
    kv('step rounds', `${f.cost.stepRounds} (⌈log₂ T⌉ = ${Math.ceil(Math.log2(T))})`);
    kv(
      'op rounds',
      `${f.cost.opRounds}${model.opCount ? ` (⌈log₂ N⌉ = ${Math.ceil(Math.log2(model.opCount))})` : ''}`,
    );
    kv('messages', fmtInt(f.cost.messages));
    kv('bytes sent', fmtBytes(f.cost.bytes));
    kv('referee ops', `1 op · ${fmtInt(c.referee.flops)} FLOPs`);
    kv('full replication', `${fmtInt(c.replication.steps)} steps · ${fmtInt(c.replication.flops)} FLOPs`);
    kv(
      'referee / replication',
      c.replication.ratio > 0 ? `${(c.replication.ratio * 100).toPrecision(2)} %` : '—',
    );
    rows.classed('cur', (r) => r.index === i).classed('future', (r) => r.index > i);
    const rowEl = rows.filter((r) => r.index === i).node() as HTMLElement | null;
    const box = logPanel.select('.rounds').node() as HTMLElement;
    if (rowEl) {
      // Scroll the round log only, never the page around the player.
      const top = rowEl.offsetTop - box.clientHeight / 2;
      box.scrollTop = Math.max(0, top);
    }
    // Verdict.
    const atEnd = f.phase === 'verdict';
    verdictPanel.style('display', atEnd ? '' : 'none');
    if (atEnd) {
      const v = model.verdict;
      verdictBody.html('');
      verdictBody
        .append('div')
        .attr('class', `big ${v.outcome === 'solver-wins' ? 'pp-ok' : 'pp-bad'}`)
        .attr('data-role', 'verdict-headline')
        .text(`⚖ ${v.headline}`);
      verdictBody.append('div').attr('data-role', 'pinpoint').html('');
      verdictBody.select('[data-role=pinpoint]').append('strong').text('Pinpointed: ');
      verdictBody.select('[data-role=pinpoint]').append('span').text(v.pinpoint);
      verdictBody.append('div').attr('class', 'pp-muted').text(v.reason);
      if (!verdictShown) {
        verdictShown = true;
        opts.onVerdict?.(model);
      }
      pause();
    }
    opts.onFrame?.(f, model);
  }

  function seek(i: number): void {
    render(Math.max(0, Math.min(frames.length - 1, i)));
  }
  function step(d: number): void {
    pause();
    seek(cur + d);
  }
  function tick(): void {
    if (cur >= frames.length - 1) pause();
    else seek(cur + 1);
  }
  function play(): void {
    if (timer) return;
    if (cur >= frames.length - 1) seek(0);
    playBtn.html(iconLabel('pause', 'Pause')).attr('aria-pressed', 'true');
    timer = setInterval(tick, (opts.frameMs ?? 1100) / speed);
  }
  function pause(): void {
    if (timer) clearInterval(timer);
    timer = null;
    playBtn.html(iconLabel('play', 'Play')).attr('aria-pressed', 'false');
  }
  function setSpeed(x: number): void {
    speed = x;
    speedSel.property('value', String(x));
    if (timer) {
      pause();
      play();
    }
  }
  root.on('keydown', (ev: KeyboardEvent) => {
    const tag = (ev.target as HTMLElement).tagName;
    if (tag === 'SELECT' || tag === 'INPUT') return;
    if ((ev.target as Element).closest?.('.pp-graph')) return;
    if (ev.key === ' ' || ev.key === 'k') timer ? pause() : play();
    else if (ev.key === 'ArrowRight') step(1);
    else if (ev.key === 'ArrowLeft') step(-1);
    else if (ev.key === 'Home') seek(0);
    else if (ev.key === 'End') seek(frames.length - 1);
    else return;
    ev.preventDefault();
  });
  opts.signal?.addEventListener('abort', () => pause());
  seek(0);
  if (opts.autoplay) play();
  return {
    model,
    play,
    pause,
    step,
    seek,
    current: () => cur,
    setSpeed,
    destroy() {
      pause();
      canvas?.destroy();
      root.remove();
    },
  };
}

/** What a round's agree flag means, in words (children rounds compare the left halves). */
export function agreeText(f: ReplayFrame): string {
  if (f.agree === null) return '';
  if (f.probeOps && f.probeOps[1] - f.probeOps[0] > 1)
    return f.agree ? '✓ left half agrees → right' : '✗ left half differs → left';
  if (f.phase === 'referee') return f.agree ? '✓ claims agree' : '✗ claims differ';
  return f.agree ? '✓ same digest' : '✗ digests differ';
}
