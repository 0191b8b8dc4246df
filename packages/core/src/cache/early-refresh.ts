/**
 * XFetch (Vattani, Chierichetti, Lowenstein: "Optimal Probabilistic Cache Stampede
 * Prevention", VLDB 2015): refresh a fresh entry early with a probability that rises
 * as its expiry nears, scaled by how long the loader takes (`loadTime`) and `beta`.
 * With `beta = 1`, a key read often enough is refreshed about once, shortly before it
 * expires; slow loaders start earlier. Without a measured `loadTime` it never fires.
 */
export function shouldRefreshEarly(
  now: number,
  freshUntil: number,
  loadTime: number | undefined,
  beta: number,
  random: () => number = Math.random,
): boolean {
  if (loadTime === undefined || loadTime <= 0 || freshUntil === Number.POSITIVE_INFINITY)
    return false
  return now - loadTime * beta * Math.log(random()) >= freshUntil
}
