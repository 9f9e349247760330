// 2-D transpose (ops/layout.ts transposeData, perm [1, 0]): pure data movement, bit patterns copied as
// integers (NaN payloads kept). 32×32 tiles, 4×4 blocks transposed in registers with shuffles.

export function transpose2d(px: usize, po: usize, rows: i32, cols: i32): void {
  const rb = <usize>rows << 2;
  const cb = <usize>cols << 2;
  for (let i0 = 0; i0 < rows; i0 += 32) {
    const i1 = min(i0 + 32, rows);
    const i4 = i0 + ((i1 - i0) & ~3);
    for (let j0 = 0; j0 < cols; j0 += 32) {
      const j1 = min(j0 + 32, cols);
      const j4 = j0 + ((j1 - j0) & ~3);
      for (let i = i0; i < i4; i += 4) {
        const src = px + <usize>i * cb;
        for (let j = j0; j < j4; j += 4) {
          const s = src + (<usize>j << 2);
          const r0 = v128.load(s);
          const r1 = v128.load(s + cb);
          const r2 = v128.load(s + 2 * cb);
          const r3 = v128.load(s + 3 * cb);
          const t0 = v128.shuffle<i32>(r0, r1, 0, 4, 1, 5);
          const t1 = v128.shuffle<i32>(r0, r1, 2, 6, 3, 7);
          const t2 = v128.shuffle<i32>(r2, r3, 0, 4, 1, 5);
          const t3 = v128.shuffle<i32>(r2, r3, 2, 6, 3, 7);
          const d = po + <usize>j * rb + (<usize>i << 2);
          v128.store(d, v128.shuffle<i32>(t0, t2, 0, 1, 4, 5));
          v128.store(d + rb, v128.shuffle<i32>(t0, t2, 2, 3, 6, 7));
          v128.store(d + 2 * rb, v128.shuffle<i32>(t1, t3, 0, 1, 4, 5));
          v128.store(d + 3 * rb, v128.shuffle<i32>(t1, t3, 2, 3, 6, 7));
        }
        for (let j = j4; j < j1; j++) {
          for (let k = 0; k < 4; k++) {
            store<u32>(po + <usize>j * rb + (<usize>(i + k) << 2), load<u32>(px + <usize>(i + k) * cb + (<usize>j << 2)));
          }
        }
      }
      for (let i = i4; i < i1; i++) {
        for (let j = j0; j < j1; j++) {
          store<u32>(po + <usize>j * rb + (<usize>i << 2), load<u32>(px + <usize>i * cb + (<usize>j << 2)));
        }
      }
    }
  }
}

// `batch` consecutive [rows, cols] matrices, each transposed (perm [..., r−1, r−2]).
export function transposeBatch(px: usize, po: usize, batch: i32, rows: i32, cols: i32): void {
  const mb = (<usize>rows * <usize>cols) << 2;
  for (let b = 0; b < batch; b++) transpose2d(px + <usize>b * mb, po + <usize>b * mb, rows, cols);
}
