import { layoutGraph } from '/work/main/desktop/renderer/components/graph-layout.ts';
import { syntheticTraceOfSize } from '/work/main/desktop/renderer/views/playground-data.ts';
const t = syntheticTraceOfSize(1000);
for (let r = 0; r < 2; r++) for (const rk of ['network-simplex','tight-tree','longest-path'] as const) for (const ch of [undefined, 24]) {
  const L = layoutGraph(t, { ranker: rk, ...(ch ? { chunk: ch } : {}) });
  console.log(rk, ch ?? 'default', Math.round(L.ms), 'ms', L.width, L.height);
}
