import { launch, playgroundPage } from './helpers/page.ts';
const b = await launch(); const p = await playgroundPage(b, 1280, 800);
const r = await p.evaluate(async () => {
  const root = document.getElementById('root') as HTMLElement;
  const c = window.pp.mountGraphCanvas(root, window.pp.data.syntheticTraceOfSize(1000));
  const res: string[] = [];
  if (process_env_hide) (root.querySelector(process_env_hide) as SVGGElement).style.display = 'none';
  for (const k of [0.8, 0.25, 0.8]) {
    await c.zoomTo(k, 0);
    await new Promise((r) => setTimeout(r, 200));
    const stamps: number[] = [];
    let on = true;
    const loop = (t: number) => { stamps.push(t); if (on) requestAnimationFrame(loop); };
    requestAnimationFrame(loop);
    await c.panBy(-900, -500, 1500);
    on = false;
    res.push(`${k}: ${stamps.length} frames ${document.querySelectorAll('g.node:not([style*="none"])').length} nodes shown`);
  }
  return res;
});
console.log(r);
await b.close();
