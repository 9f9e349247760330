/**
 * Semantic zoom for the graph canvas (pure, no DOM): when zoomed out too far for per-op text, the
 * canvas shows one label per chunk of the layout instead — which tape ops it holds and which layers
 * (node labels) or op types they belong to — drawn at a constant, legible screen size and cut to the
 * room the chunk has on screen. So Fit shows where things are instead of unreadable specks.
 */
import type { GraphLayout } from './graph-layout.ts';

export interface OverviewGroup {
  lane: string;
  /** Bounding box of the chunk's nodes in layout coordinates. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** First and last tape id in the chunk, and its node count. */
  first: number;
  last: number;
  count: number;
  /** "#12–#47 · 36 ops". */
  title: string;
  /** Layers in tape order ("layer0/attn, layer0/mlp"), else the most frequent op types ("matmul×6 add×4"). */
  detail: string;
}

/** A label's layer part: its first two path segments ('layer0/attn/q' → 'layer0/attn'). */
function layerOf(label: string): string {
  return label.split('/').slice(0, 2).join('/');
}

export function overviewGroups(
  layout: GraphLayout,
  nodes: readonly { id: number; op: string; label?: string }[],
): OverviewGroup[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const groups = new Map<number, OverviewGroup & { layers: string[]; ops: Map<string, number> }>();
  for (const p of layout.nodes) {
    let g = groups.get(p.chunk);
    if (!g) {
      g = {
        lane: p.lane,
        x0: Number.POSITIVE_INFINITY,
        y0: Number.POSITIVE_INFINITY,
        x1: Number.NEGATIVE_INFINITY,
        y1: Number.NEGATIVE_INFINITY,
        first: p.id,
        last: p.id,
        count: 0,
        title: '',
        detail: '',
        layers: [],
        ops: new Map(),
      };
      groups.set(p.chunk, g);
    }
    g.x0 = Math.min(g.x0, p.x - p.w / 2);
    g.y0 = Math.min(g.y0, p.y - p.h / 2);
    g.x1 = Math.max(g.x1, p.x + p.w / 2);
    g.y1 = Math.max(g.y1, p.y + p.h / 2);
    g.first = Math.min(g.first, p.id);
    g.last = Math.max(g.last, p.id);
    g.count++;
    const n = byId.get(p.id);
    if (!n || n.op === 'leaf') continue;
    if (n.label) {
      const l = layerOf(n.label);
      if (!g.layers.includes(l)) g.layers.push(l);
    }
    g.ops.set(n.op, (g.ops.get(n.op) ?? 0) + 1);
  }
  return [...groups.values()]
    .sort((a, b) => a.first - b.first)
    .map(({ layers, ops, ...g }) => ({
      ...g,
      title: `#${g.first}–#${g.last} · ${g.count} ops`,
      detail: layers.length
        ? layers.join(', ')
        : [...ops]
            .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
            .slice(0, 4)
            .map(([op, c]) => `${op}×${c}`)
            .join(' '),
    }));
}

/** `text` cut with an ellipsis to at most `chars` characters (nothing when not even 2 fit). */
export function fitText(text: string, chars: number): string {
  if (text.length <= chars) return text;
  return chars < 2 ? '' : `${text.slice(0, chars - 1)}…`;
}

/** Where one overview label goes on screen (CSS px relative to the stage), or null when hidden. */
export interface PlacedLabel {
  x: number;
  y: number;
  anchor: 'start' | 'middle' | 'end';
  title: string;
  /** Empty when there is no room for a second line. */
  detail: string;
}

const TITLE_PX = 7; // average advance of a 12 px semibold character
const DETAIL_PX = 6.4; // of an 11 px character
const LINE = 15;

/**
 * Places the chunk labels for transform (k, tx, ty) on a stage w×h. A label sits at its chunk's
 * vertical centre: inside the chunk when the chunk is wide enough on screen, else in the empty
 * screen space beside the picture — left of the first lane, right of the last (the middle lanes keep
 * theirs inside, cut). Going down each lane, a label is dropped when it would overlap the previous one.
 */
export function placeOverviewLabels(
  groups: readonly OverviewGroup[],
  lanes: readonly { name: string; x: number; w: number }[],
  t: { k: number; x: number; y: number },
  stage: { w: number; h: number },
): (PlacedLabel | null)[] {
  const sx = (x: number) => t.x + x * t.k;
  const sy = (y: number) => t.y + y * t.k;
  const laneIndex = new Map(lanes.map((l, i) => [l.name, i]));
  const lastY = new Map<string, number>();
  const out: (PlacedLabel | null)[] = groups.map(() => null);
  const order = groups.map((g, i) => i).sort((a, b) => groups[a].y0 - groups[b].y0);
  for (const i of order) {
    const g = groups[i];
    const x0 = sx(g.x0);
    const x1 = sx(g.x1);
    const cy = sy((g.y0 + g.y1) / 2);
    const hPx = (g.y1 - g.y0) * t.k;
    if (cy < -LINE || cy > stage.h + LINE) continue;
    const li = laneIndex.get(g.lane) ?? 0;
    const inside = x1 - x0 - 8;
    const left = li === 0 ? x0 - 10 : 0;
    const right = li === lanes.length - 1 ? stage.w - x1 - 10 : 0;
    const room = Math.max(inside, left, right);
    let x: number;
    let anchor: PlacedLabel['anchor'];
    if (room === inside) {
      x = (x0 + x1) / 2;
      anchor = 'middle';
    } else if (room === left) {
      x = x0 - 10;
      anchor = 'end';
    } else {
      x = x1 + 10;
      anchor = 'start';
    }
    const title = fitText(g.title, Math.floor(room / TITLE_PX));
    if (title.length < 4) continue;
    // Two lines when the chunk is tall enough, else one; never overlapping the lane's previous label.
    const two = hPx >= 2 * LINE + 4 || room !== inside;
    const top = cy - (two ? LINE : LINE / 2);
    const prev = lastY.get(g.lane);
    if (prev !== undefined && top < prev + 2) continue;
    lastY.set(g.lane, top + (two ? 2 * LINE : LINE));
    out[i] = {
      x,
      y: two ? cy - 3 : cy + 4,
      anchor,
      title,
      detail: two ? fitText(g.detail, Math.floor(room / DETAIL_PX)) : '',
    };
  }
  return out;
}

const SHORT_LANE: Record<string, string> = { forward: 'fwd', backward: 'bwd', optimizer: 'opt' };

/** Advance of a 13 px uppercase, letter-spaced heading character. */
const HEADING_PX = 10.5;

/** A lane's heading for a screen width: "forward · 252", else "fwd 252", else cut. */
export function laneHeading(name: string, count: number, px: number): string {
  const full = `${name} · ${count}`;
  if (full.length * HEADING_PX <= px) return full;
  const short = `${SHORT_LANE[name] ?? name.slice(0, 3)} ${count}`;
  return short.length * HEADING_PX <= px ? short : fitText(short, Math.max(3, Math.floor(px / HEADING_PX)));
}
