import type { BreakerState } from '../resilience/index.js'
import type { CacheLog } from './logging.js'
import type { RecoveryEvent, RecoveryStats } from './recovery.js'

/** Logs a breaker transition of a tier or the bus (an opening as an error). */
export function logCircuit(
  log: CacheLog,
  tier: string,
  state: BreakerState,
  previous: BreakerState,
): void {
  const level = state === 'open' ? 'error' : 'info'
  const what =
    state === 'open'
      ? 'circuit open: calls fail fast until a probe succeeds'
      : state === 'half-open'
        ? 'circuit half-open: probing'
        : 'circuit closed: calls go through again'
  log.log(level, `circuit:${tier}:${state}`, `${tier}: ${what}`, { tier, state, previous })
}

/** Logs a key fenced after a failed write, repaired, or dropped on close, with the totals. */
export function logRecovery(
  log: CacheLog,
  event: RecoveryEvent,
  recovery: { stats(): RecoveryStats },
): void {
  if (!log.enabled) return
  const { fenced, pending } = recovery.stats()
  const target = event.key ?? event.prefix
  const level = event.state === 'recovered' ? 'info' : 'warn'
  const message =
    event.state === 'fenced'
      ? `${event.tier}: a failed write fenced "${target}"; reads skip the tier for it until repaired`
      : event.state === 'recovered'
        ? `${event.tier}: repaired "${target}"`
        : `${event.tier}: repair of "${target}" dropped on close`
  log.log(
    level,
    `recovery:${event.tier}:${event.state}`,
    `${message} (${fenced} fenced, ${pending} pending)`,
    { tier: event.tier, fenced, pending },
  )
}
