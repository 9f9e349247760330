import { launch, playgroundPage } from './helpers/page.ts';
const b = await launch(); const p = await playgroundPage(b);
const ms = await p.evaluate((L) => { const t = window.pp.data.syntheticTrace(L); const c = window.pp.mountGraphCanvas(document.getElementById('root')!, t); const o = window.pp.data.tamperTrace(t, 40); c.setMarks(window.pp.compareTraces(t,o).marks); (window as any).c = c; return [t.length, c.layout.ms, c.layout.width, c.layout.height]; }, Number(process.env.L ?? 4));
console.log('layout', ms);
await p.screenshot({ path: '/tmp/graph.png' });
if (process.env.Z) { await p.evaluate(() => (window as any).c.focusNode(45, 0)); await p.screenshot({ path: '/tmp/graph2.png' }); }
await b.close();
