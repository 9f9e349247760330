// reduce.ts laneSum over n contiguous floats at p: one f32x4 accumulator (lane k takes terms i ≡ k mod 4),
// tail terms into lanes 0, 1, 2, then (s0 + s1) + (s2 + s3). Shared by the kernel modules (inlined into each).
@inline export function laneSum(p: usize, n: i32): f32 {
  const n4 = n - (n & 3);
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i < n4; i += 4) acc = f32x4.add(acc, v128.load(p + (<usize>i << 2)));
  let s0 = f32x4.extract_lane(acc, 0);
  let s1 = f32x4.extract_lane(acc, 1);
  let s2 = f32x4.extract_lane(acc, 2);
  const s3 = f32x4.extract_lane(acc, 3);
  const t = p + (<usize>i << 2);
  if (i < n) s0 = s0 + load<f32>(t);
  if (i + 1 < n) s1 = s1 + load<f32>(t + 4);
  if (i + 2 < n) s2 = s2 + load<f32>(t + 8);
  return (s0 + s1) + (s2 + s3);
}
