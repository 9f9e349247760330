import { launch, playgroundPage } from './helpers/page.ts';
const b = await launch(); const p = await playgroundPage(b, 1280, 800);
const r = await p.evaluate(async () => {
  const count = async (ms: number, work?: () => void) => { const s: number[] = []; let on = true; const loop = (t: number) => { s.push(t); work?.(); if (on) requestAnimationFrame(loop); }; requestAnimationFrame(loop); await new Promise((r) => setTimeout(r, ms)); on = false; return s.length / (ms / 1000); };
  const empty = await count(1000);
  const div = document.createElement('div'); div.style.cssText = 'position:absolute;width:100px;height:100px;background:red'; document.body.append(div);
  let x = 0;
  const moving = await count(1000, () => { x = (x + 5) % 800; div.style.transform = `translate(${x}px, 0)`; });
  return { empty, moving };
});
console.log(r);
await b.close();
