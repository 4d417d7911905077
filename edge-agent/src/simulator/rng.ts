/** mulberry32: tiny, fast and seedable, so a scenario replays identically from its seed. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function pick<T>(rng: () => number, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

/** Picks a key by weight: `{ 4: 0.55, 3: 0.28 }`. */
export function weighted<K extends string | number>(
  rng: () => number,
  weights: ReadonlyArray<readonly [K, number]>,
): K {
  const total = weights.reduce((s, [, w]) => s + w, 0);
  let x = rng() * total;
  for (const [k, w] of weights) {
    x -= w;
    if (x < 0) return k;
  }
  return weights[weights.length - 1]![0];
}

export const between = (rng: () => number, lo: number, hi: number) => lo + rng() * (hi - lo);
