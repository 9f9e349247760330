/**
 * Graph view performance in headless Chromium (Debian's /usr/bin/chromium via playwright-core):
 * layout time of a ~1 000-op training-step graph (dagre, graph-layout.ts), time to first paint of the
 * canvas, and frames per second while panning and while animating a zoom (d3 transitions, rAF
 * counted in the page). Targets (issue 8): layout < 1 s, ≥ 50 fps.
 */
import { loadavg } from 'node:os';
import { CHROMIUM, chromiumAvailable, launch, playgroundPage } from '../test/views/helpers/page.ts';

interface Fps {
  fps: number;
  p95ms: number;
  frames: number;
}

export default async function bench(): Promise<void> {
  if (!chromiumAvailable()) {
    console.log(`views: skipped (no Chromium at ${CHROMIUM})`);
    return;
  }
  const browser = await launch();
  try {
    const page = await playgroundPage(browser, 1280, 800);
    // Calibration: the frame rate of an idle page under the machine's current load (other processes
    // share the 2 cores), so the figures below can be read against it.
    const idle = await page.evaluate(async () => {
      let n = 0;
      let on = true;
      const loop = () => {
        n++;
        if (on) requestAnimationFrame(loop);
      };
      requestAnimationFrame(loop);
      await new Promise((r) => setTimeout(r, 1000));
      on = false;
      return n;
    });
    console.log(
      `load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}; idle page ${idle} fps`,
    );
    for (const size of [300, 1000]) {
      const runs: { nodes: number; layoutMs: number; mountMs: number }[] = [];
      for (let r = 0; r < 3; r++) {
        runs.push(
          await page.evaluate((n) => {
            const root = document.getElementById('root') as HTMLElement;
            root.innerHTML = '';
            const trace = window.pp.data.syntheticTraceOfSize(n);
            const t0 = performance.now();
            const c = window.pp.mountGraphCanvas(root, trace, { layout: { cache: false } });
            const mountMs = performance.now() - t0;
            (window as unknown as { canvas: unknown }).canvas = c;
            return { nodes: trace.length, layoutMs: c.layout.ms, mountMs };
          }, size),
        );
      }
      const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      console.log(
        `graph ${runs[0].nodes} ops: dagre layout ${med(runs.map((x) => x.layoutMs)).toFixed(0)} ms (median of 3, runs ${runs.map((x) => x.layoutMs.toFixed(0)).join('/')}), layout + SVG build ${med(runs.map((x) => x.mountMs)).toFixed(0)} ms`,
      );
    }
    // Stepping to another step of the same run: same tape shape, layout from the structure cache.
    const warm = await page.evaluate(() => {
      const t = window.pp.data.syntheticTraceOfSize(1000);
      window.pp.layoutGraph(t);
      return window.pp.layoutGraph(window.pp.data.tamperTrace(t, 10)).ms;
    });
    console.log(`graph 1002 ops, next step of the same run (structure cache): layout ${warm.toFixed(1)} ms`);
    // Animation fps on the 1 000-op graph (last mounted), at a readable zoom (text shown) and zoomed out.
    const measure = (kind: 'pan' | 'long-pan' | 'zoom', k: number): Promise<Fps> =>
      page.evaluate(
        async ({ kind, k }) => {
          const c = (
            window as unknown as {
              canvas: {
                zoomTo(k: number, d?: number): Promise<void>;
                panBy(dx: number, dy: number, d?: number): Promise<void>;
              };
            }
          ).canvas;
          await c.zoomTo(k, 0);
          await new Promise((r) => setTimeout(r, 100));
          const stamps: number[] = [];
          let on = true;
          const loop = (t: number) => {
            stamps.push(t);
            if (on) requestAnimationFrame(loop);
          };
          requestAnimationFrame(loop);
          // 'pan' stays within the overscan (compositor only); 'long-pan' crosses it (repaints).
          if (kind === 'pan') await c.panBy(-600, -380, 1500);
          else if (kind === 'long-pan') await c.panBy(-2400, -1500, 1500);
          else await c.zoomTo(k * 2.5, 1500);
          on = false;
          const gaps = stamps.slice(1).map((t, i) => t - stamps[i]);
          const secs = (stamps[stamps.length - 1] - stamps[0]) / 1000;
          const sorted = [...gaps].sort((a, b) => a - b);
          return {
            fps: (stamps.length - 1) / secs,
            p95ms: sorted[Math.floor(sorted.length * 0.95)] ?? 0,
            frames: stamps.length,
          };
        },
        { kind, k },
      );
    for (const [kind, k] of [
      ['pan', 0.8],
      ['pan', 0.25],
      ['long-pan', 0.8],
      ['zoom', 0.3],
      ['zoom', 0.8],
    ] as const) {
      const f = await measure(kind, k);
      console.log(
        `${kind} at zoom ${k} (1 000-op graph): ${f.fps.toFixed(1)} fps, p95 frame ${f.p95ms.toFixed(1)} ms, ${f.frames} frames`,
      );
    }
  } finally {
    await browser.close();
  }
}
