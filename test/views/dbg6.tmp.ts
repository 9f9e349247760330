import { launch, playgroundPage } from './helpers/page.ts';
const b = await launch(); const p = await playgroundPage(b, 1280, 800);
const cdp = await p.context().newCDPSession(p);
await cdp.send('Performance.enable');
await p.evaluate(async () => {
  const root = document.getElementById('root') as HTMLElement;
  (window as any).c = window.pp.mountGraphCanvas(root, window.pp.data.syntheticTraceOfSize(1000));
});
const m = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((x) => [x.name, x.value]));
for (const k of [0.8, 0.25]) {
  await p.evaluate((k) => (window as any).c.zoomTo(k, 0), k);
  await p.waitForTimeout(300);
  const a = await m();
  const frames = await p.evaluate(async () => { let n = 0; let on = true; const loop = () => { n++; if (on) requestAnimationFrame(loop); }; requestAnimationFrame(loop); await (window as any).c.panBy(-900, -500, 1500); on = false; return n; });
  const z = await m();
  const d = (k: string) => ((z[k] - a[k]) * 1000).toFixed(0);
  console.log(k, 'frames', frames, 'task', d('TaskDuration'), 'script', d('ScriptDuration'), 'layout', d('LayoutDuration'), 'style', d('RecalcStyleDuration'), 'layouts', z.LayoutCount - a.LayoutCount, 'styles', z.RecalcStyleCount - a.RecalcStyleCount);
}
await b.close();
