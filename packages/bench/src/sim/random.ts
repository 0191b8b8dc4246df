/**
 * A seeded pseudo-random generator (mulberry32): the same seed gives the same
 * sequence on every run and machine, so simulated traces are reproducible.
 * Returns floats in [0, 1).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let mixed = state
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1)
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61)
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** Shuffles `items` in place (Fisher-Yates) with `random`. */
export function shuffle<T extends Int32Array | unknown[]>(items: T, random: () => number): T {
  for (let index = items.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1))
    const item = items[index]
    items[index] = items[other] as (typeof items)[number]
    items[other] = item as (typeof items)[number]
  }
  return items
}
