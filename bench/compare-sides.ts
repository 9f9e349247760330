/**
 * Side-by-side timing for the hash benchmarks (sha256-lanes, blake3): every side runs once to warm up, then
 * the sides alternate for `rounds` rounds; prints each side's median wall and CPU time, throughput, and its
 * ratio to the first side (by CPU time: on a shared machine the wall clock also measures other processes).
 */
export type Side = { readonly name: string; readonly run: () => unknown };

/** The middle value (the upper one of an even count), without reordering xs. */
export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

export function compareSides(label: string, bytes: number, sides: readonly Side[], rounds: number): void {
  for (const s of sides) s.run();
  const wall = sides.map(() => [] as number[]);
  const cpu = sides.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++)
    sides.forEach((s, i) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      s.run();
      wall[i].push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu[i].push((c.user + c.system) / 1e3);
    });
  console.log(`${label}: ${(bytes / 1e6).toFixed(1)} MB, median of ${rounds}`);
  const base = median(cpu[0]);
  sides.forEach((s, i) => {
    const w = median(wall[i]);
    const c = median(cpu[i]);
    console.log(
      `  ${s.name.padEnd(34)} ${w.toFixed(2).padStart(7)} ms wall  ${c.toFixed(1).padStart(6)} ms CPU (${(bytes / c / 1e6).toFixed(2).padStart(5)} GB/s)  ×${(base / c).toFixed(2)} vs ${sides[0].name}`,
    );
  });
}
