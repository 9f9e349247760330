/**
 * Styles of the view components, injected once per document (so the components also work in the
 * standalone playground, the notebook's outputs and test pages without a CSS pipeline). Colours come
 * from the shell's CSS variables (desktop/renderer/shell/styles.css) with dark-theme fallbacks.
 */
const CSS = `
.pp { --pp-bg: var(--bg, #15171c); --pp-raised: var(--bg-raised, #1b1e24); --pp-panel: var(--bg-panel, #20242b);
  --pp-hover: var(--bg-hover, #2a2f38); --pp-border: var(--border, #2c313a); --pp-border2: var(--border-strong, #3a404b);
  --pp-fg: var(--fg, #d7dae0); --pp-muted: var(--fg-muted, #8b93a1); --pp-faint: var(--fg-faint, #5e6674);
  --pp-accent: var(--accent, #4f8cff); --pp-accent-weak: var(--accent-weak, rgba(79,140,255,.16));
  --pp-ok: var(--agree, #3fb27f); --pp-bad: var(--disagree, #f05d5e); --pp-warn: var(--warn, #e0a440);
  --pp-mono: var(--mono, 'DejaVu Sans Mono', monospace); --pp-font: var(--font, system-ui, 'DejaVu Sans', sans-serif);
  --pp-fwd: #4f8cff; --pp-bwd: #b07cff; --pp-opt: #e0a440; --pp-leaf: #6b7382;
  color: var(--pp-fg); font-family: var(--pp-font); font-size: 13px; }
.pp *:focus-visible { outline: 2px solid var(--pp-accent); outline-offset: 1px; }
.pp-mono { font-family: var(--pp-mono); }
.pp-muted { color: var(--pp-muted); }
.pp-ok { color: var(--pp-ok); } .pp-bad { color: var(--pp-bad); } .pp-warn { color: var(--pp-warn); }
.pp-panel { background: var(--pp-raised); border: 1px solid var(--pp-border); border-radius: 6px; }
.pp-panel > h3, .pp-h { margin: 0; padding: 8px 12px; font-size: 11px; font-weight: 600; letter-spacing: .06em;
  text-transform: uppercase; color: var(--pp-muted); border-bottom: 1px solid var(--pp-border); display: flex; align-items: center; gap: 8px; }
.pp-btn { background: var(--pp-panel); color: var(--pp-fg); border: 1px solid var(--pp-border2); border-radius: 5px;
  padding: 4px 10px; font: inherit; cursor: pointer; display: inline-flex; align-items: center; gap: 6px; min-height: 26px; }
.pp-btn > svg.icon { width: 14px; height: 14px; flex: none; }
.pp-btn:hover { background: var(--pp-hover); } .pp-btn:disabled { opacity: .45; cursor: default; }
.pp-btn.primary { background: var(--pp-accent); border-color: var(--pp-accent); color: #fff; }
.pp-btn[aria-pressed="true"] { background: var(--pp-accent-weak); border-color: var(--pp-accent); }
.pp-btn kbd, .pp kbd { font-family: var(--pp-mono); font-size: 10px; color: var(--pp-muted); border: 1px solid var(--pp-border2);
  border-radius: 3px; padding: 0 4px; background: var(--pp-bg); }
.pp-select, .pp-input { background: var(--pp-bg); color: var(--pp-fg); border: 1px solid var(--pp-border2); border-radius: 5px; padding: 4px 8px; font: inherit; min-height: 26px; }
.pp-toolbar { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; padding: 8px 12px; border-bottom: 1px solid var(--pp-border); background: var(--pp-raised); }
.pp-toolbar .pp-spacer { flex: 1; }
.pp-kv { display: grid; grid-template-columns: max-content 1fr; gap: 3px 12px; padding: 8px 12px; font-size: 12px; }
.pp-kv dt { color: var(--pp-muted); } .pp-kv dd { margin: 0; font-family: var(--pp-mono); overflow-wrap: anywhere; }
.pp-badge { display: inline-flex; align-items: center; gap: 4px; border-radius: 10px; padding: 1px 8px; font-size: 11px; font-weight: 600; border: 1px solid currentColor; }
.pp-badge.ok { color: var(--pp-ok); background: rgba(63,178,127,.1); } .pp-badge.bad { color: var(--pp-bad); background: rgba(240,93,94,.1); }
.pp-badge.info { color: var(--pp-accent); background: var(--pp-accent-weak); } .pp-badge.warn { color: var(--pp-warn); background: rgba(224,164,64,.1); }
.pp-table { width: 100%; border-collapse: collapse; font-size: 12px; }
.pp-table th { text-align: left; font-weight: 600; color: var(--pp-muted); padding: 5px 10px; border-bottom: 1px solid var(--pp-border); position: sticky; top: 0; background: var(--pp-raised); }
.pp-table td { padding: 4px 10px; border-bottom: 1px solid var(--pp-border); }
.pp-table td.num, .pp-table th.num { text-align: right; font-variant-numeric: tabular-nums; font-family: var(--pp-mono); }
.pp-table tr.sel td { background: var(--pp-accent-weak); }
.pp-empty { padding: 24px; color: var(--pp-muted); text-align: center; }
.pp-error { padding: 12px; color: var(--pp-bad); background: rgba(240,93,94,.08); border: 1px solid rgba(240,93,94,.4); border-radius: 6px; white-space: pre-wrap; }

/* line chart */
.pp-chart svg { display: block; width: 100%; }
.pp-chart .axis text { fill: var(--pp-muted); font-size: 10px; } .pp-chart .axis path, .pp-chart .axis line { stroke: var(--pp-border2); }
.pp-chart .grid line { stroke: var(--pp-border); stroke-opacity: .6; } .pp-chart .grid path { display: none; }
.pp-chart .line { fill: none; stroke: var(--pp-accent); stroke-width: 1.6; }
.pp-chart .area { fill: var(--pp-accent-weak); }
.pp-chart .cursor { stroke: var(--pp-fg); stroke-dasharray: 3 3; }
.pp-chart .dot { fill: var(--pp-fg); stroke: var(--pp-bg); stroke-width: 2; }
.pp-chart .hover-line { stroke: var(--pp-muted); stroke-dasharray: 2 2; pointer-events: none; }
.pp-chart .hover-dot { fill: var(--pp-accent); stroke: var(--pp-bg); stroke-width: 1.5; pointer-events: none; }
.pp-chart .hover-tip { fill: var(--pp-fg); }
.pp-chart .mk-checkpoint { fill: var(--pp-warn); } .pp-chart .mk-sample { fill: var(--pp-ok); }
.pp-chart .mk-disputed { fill: var(--pp-bad); }
.pp-chart .label { fill: var(--pp-muted); font-size: 10px; }

/* graph canvas */
.pp-graph { position: relative; overflow: hidden; background: var(--pp-bg); outline: none; }
.pp-graph .gstage { position: absolute; inset: 0; overflow: hidden; cursor: grab; outline: none; }
.pp-graph .gstage:focus-visible { box-shadow: inset 0 0 0 2px var(--pp-accent); }
.pp-graph .gstage:active { cursor: grabbing; }
.pp-graph .gpan { position: absolute; overflow: hidden; will-change: transform; }
.pp-graph svg.main { position: absolute; left: 0; top: 0; display: block; overflow: visible; transform-origin: 0 0; }
.pp-graph .lane rect { fill: var(--pp-raised); stroke: var(--pp-border); }
.pp-graph .lane text { fill: var(--pp-muted); font-size: 13px; font-weight: 600; letter-spacing: .08em; text-transform: uppercase; }
.pp-graph .edge { fill: none; stroke: #4b5261; stroke-width: 1.2; }
.pp-graph .edge.long { stroke: #5b6372; stroke-opacity: .16; display: none; }
.pp-graph.show-long .edge.long, .pp-graph .edge.long.hl { display: inline; }
.pp-graph .edge.hl { stroke: var(--pp-accent); stroke-width: 2; stroke-dasharray: none; }
.pp-graph .node rect.body { fill: var(--pp-panel); stroke: var(--pp-border2); rx: 5; }
.pp-graph .node rect.stripe { rx: 2; }
.pp-graph .node.ph-forward rect.stripe { fill: var(--pp-fwd); } .pp-graph .node.ph-backward rect.stripe { fill: var(--pp-bwd); }
.pp-graph .node.ph-optimizer rect.stripe { fill: var(--pp-opt); } .pp-graph .node.ph-leaf rect.stripe { fill: var(--pp-leaf); }
.pp-graph .node text { fill: var(--pp-fg); font-size: 12px; pointer-events: none; }
.pp-graph .node text.op { font-weight: 600; }
.pp-graph .node text.sub { fill: var(--pp-muted); font-size: 11px; font-family: var(--pp-mono); }
.pp-graph .node text.mark { font-size: 13px; font-weight: 700; }
.pp-graph .node.m-agree rect.body { stroke: var(--pp-ok); } .pp-graph .node.m-agree text.mark { fill: var(--pp-ok); }
.pp-graph .node.m-disagree rect.body { stroke: var(--pp-bad); fill: #2d1f24; } .pp-graph .node.m-disagree text.mark { fill: var(--pp-bad); }
.pp-graph .node.m-culprit rect.body { stroke: var(--pp-bad); stroke-width: 3; fill: #3a1f24; } .pp-graph .node.m-culprit text.mark { fill: var(--pp-bad); }
.pp-graph .node.hl rect.body { stroke: var(--pp-accent); stroke-width: 2; }
.pp-graph .node.dim { opacity: .28; }
.pp-graph .node.sel rect.body { stroke: #fff; stroke-width: 2.5; }
.pp-graph .node { cursor: pointer; }
.pp-graph.lod-low .node text, .pp-graph.lod-mid .node text.sub { visibility: hidden; }
.pp-graph .overview { display: none; pointer-events: none; }
.pp-graph.lod-low .overview { display: inline; }
.pp-graph .ogroup rect { fill: rgba(79,140,255,.06); stroke: var(--pp-border2); }
.pp-graph .ogroup text { fill: var(--pp-fg); paint-order: stroke; stroke: var(--pp-bg); stroke-linejoin: round; stroke-dasharray: none; }
.pp-graph .ogroup text.otitle { font-weight: 600; }
.pp-graph .ogroup text.odetail { fill: var(--pp-muted); }
.pp-graph .minimap { position: absolute; right: 10px; bottom: 10px; border: 1px solid var(--pp-border2); background: rgba(17,19,24,.92); border-radius: 4px; cursor: crosshair; }
.pp-graph .mmview { position: absolute; right: 11px; bottom: 11px; overflow: hidden; pointer-events: none; }
.pp-graph .mmrect { position: absolute; left: 0; top: 0; box-sizing: border-box; border: 1.5px solid #fff; will-change: transform; }
.pp-graph .legend { position: absolute; left: 10px; bottom: 10px; display: flex; gap: 10px; font-size: 11px; color: var(--pp-muted); background: rgba(17,19,24,.85); padding: 4px 8px; border-radius: 4px; border: 1px solid var(--pp-border); }
.pp-graph .legend i { display: inline-block; width: 9px; height: 9px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
.pp-graph .zoomctl { position: absolute; right: 10px; top: 10px; display: flex; gap: 4px; }
.pp-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

/* tensor inspector */
.pp-inspector .plots { display: grid; grid-template-columns: 1fr; gap: 8px; padding: 8px 12px; }
.pp-inspector .plot-title { font-size: 11px; color: var(--pp-muted); margin-bottom: 2px; }
.pp-inspector .bar { fill: var(--pp-accent); } .pp-inspector .bar:hover { fill: #7aa8ff; }
.pp-inspector .axis text { fill: var(--pp-muted); font-size: 9px; } .pp-inspector .axis path, .pp-inspector .axis line { stroke: var(--pp-border2); }
.pp-inspector canvas.heat { image-rendering: pixelated; border: 1px solid var(--pp-border); display: block; }
.pp-inspector .digest { font-family: var(--pp-mono); font-size: 11px; overflow-wrap: anywhere; padding: 6px 12px 10px; user-select: all; }

/* transcript player */
.pp-player { display: grid; grid-template-rows: auto auto 1fr; min-height: 0; }
.pp-player .stage { display: grid; grid-template-columns: minmax(0, 1fr) 300px; gap: 10px; padding: 10px; min-height: 0; }
.pp-player .stage > .col { display: flex; flex-direction: column; gap: 10px; min-width: 0; min-height: 0; }
.pp-player .track text { fill: var(--pp-muted); font-size: 10px; }
.pp-player .track .title { fill: var(--pp-fg); font-size: 12px; font-weight: 600; }
.pp-player .track .base { fill: var(--pp-panel); stroke: var(--pp-border2); }
.pp-player .track .agreed { fill: rgba(63,178,127,.35); } .pp-player .track .disputed { fill: rgba(240,93,94,.35); }
.pp-player .track .interval { fill: var(--pp-accent-weak); stroke: var(--pp-accent); stroke-width: 1.5; }
.pp-player .track .probe { stroke: #fff; stroke-width: 2; }
.pp-player .track .tick { stroke: var(--pp-border2); }
.pp-player .track .pin { fill: var(--pp-bad); }
.pp-player .rounds { max-height: 240px; overflow: auto; }
.pp-player .rounds tr.cur td { background: var(--pp-accent-weak); }
.pp-player .rounds tr.future td { opacity: .35; }
.pp-player .verdict { padding: 12px; font-size: 14px; line-height: 1.45; }
.pp-player .verdict .big { font-size: 18px; font-weight: 700; margin-bottom: 4px; }
.pp-player .narr { padding: 8px 12px; font-size: 13px; min-height: 38px; border-bottom: 1px solid var(--pp-border); background: var(--pp-bg); }
.pp-player .progress { flex: 1; min-width: 120px; }

/* flows */
.pp-flow svg { display: block; width: 100%; }
.pp-flow .fnode rect { stroke: var(--pp-border2); }
.pp-flow .fnode text { fill: var(--pp-fg); font-size: 12px; }
.pp-flow .fnode text.amt { fill: var(--pp-muted); font-family: var(--pp-mono); font-size: 11px; }
.pp-flow .flink { fill: none; stroke-opacity: .45; }
.pp-flow .flink:hover { stroke-opacity: .75; }
.pp-flow .token { stroke: none; }
.pp-flow .flabel { fill: var(--pp-fg); font-size: 11px; font-family: var(--pp-mono); paint-order: stroke; stroke: var(--pp-panel); stroke-width: 4px; stroke-linejoin: round; }
.pp-flow .flabel.noted { cursor: help; }
.pp-flow .fleader { fill: none; stroke: var(--pp-muted); stroke-width: 1; stroke-opacity: .7; }
.pp-flow-notes { margin: 6px 12px 10px; font-size: 12px; color: var(--pp-muted); }
.pp-flow-notes p { margin: 4px 0; }
`;

export function ensureStyles(doc: Document = document): void {
  if (doc.getElementById('pp-component-styles')) return;
  const style = doc.createElement('style');
  style.id = 'pp-component-styles';
  style.textContent = CSS;
  doc.head.appendChild(style);
}
