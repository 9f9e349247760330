/**
 * Standalone component playground (no shell, no backend): `window.pp` exposes the components and the
 * synthetic data so tests, the benchmark and a developer (`npx vite desktop/renderer` → /views/playground.html)
 * can mount any component alone.
 */
import * as components from '../components/index.ts';
import * as data from './playground-data.ts';

declare global {
  interface Window {
    pp: typeof components & { data: typeof data };
  }
}

window.pp = { ...components, data };

// Opened directly: show a 300-op graph with one node disagreeing.
const host = document.getElementById('playground');
if (host) {
  const trace = data.syntheticTrace(12);
  const canvas = components.mountGraphCanvas(host, trace, { title: 'Synthetic step (playground)' });
  const other = data.tamperTrace(trace, 60);
  canvas.setMarks(components.compareTraces(trace, other).marks);
}
