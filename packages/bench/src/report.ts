/** Helpers every benchmark of this package shares: key cursors and result tables. */
import type { run } from 'mitata'

type Trials = Awaited<ReturnType<typeof run>>['benchmarks']

/** Cycles through `keys`, so every call reads a different key. */
export function cursor(keys: readonly string[]): () => string {
  let index = 0
  return () => {
    index = index + 1 === keys.length ? 0 : index + 1
    return keys[index] as string
  }
}

/** Each benchmark's average (or another statistic) in ns, by name. */
export function statistic(trials: Trials, pick: 'avg' | 'p50' = 'avg'): Map<string, number> {
  return new Map(trials.map((trial) => [trial.alias, trial.runs[0]?.stats?.[pick] ?? Number.NaN]))
}

/** `123.4 ns` below a microsecond, `1.23 µs` above. */
export function formatNs(ns: number): string {
  return Math.abs(ns) >= 1_000 ? `${(ns / 1_000).toFixed(2)} µs` : `${ns.toFixed(1)} ns`
}

/**
 * Prints a Markdown table of `[ours, theirs]` pairs with the ratio of their averages,
 * under `title`; `label` names the column of the other side (e.g. `raw memjs`).
 */
export function printRatios(
  title: string,
  label: string,
  averages: ReadonlyMap<string, number>,
  pairs: readonly (readonly [string, string])[],
): void {
  console.log(`\n${title}`)
  console.log(`| benchmark | avg | ${label} | × ${label} |\n| --- | ---: | ---: | ---: |`)
  for (const [ours, theirs] of pairs) {
    const a = averages.get(ours) ?? Number.NaN
    const b = averages.get(theirs) ?? Number.NaN
    console.log(`| ${ours} | ${formatNs(a)} | ${formatNs(b)} | ${(a / b).toFixed(2)}× |`)
  }
}
