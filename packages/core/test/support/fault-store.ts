/**
 * A fault-injecting {@link RemoteStore}: wraps a real store (usually core's
 * `memoryStore`) and misbehaves on chosen calls, so engine tests can prove what the
 * cache does when a tier fails, hangs, answers late or returns wrong bytes.
 *
 * Faults are chosen per call by rules (`inject`), checked in the order they were added,
 * then by an optional policy function (`setPolicy`, e.g. a seeded random profile for
 * model-based tests). A rule matches an operation and, optionally, a stored key (the raw
 * key the cache sends: a string, a RegExp or a predicate), and can be limited to its
 * first `times` matching calls.
 *
 * | fault              | what the call does                                                        |
 * | ------------------ | ------------------------------------------------------------------------- |
 * | `throw`            | rejects; nothing is applied                                               |
 * | `throw-after-apply`| applies to the real store, then rejects                                   |
 * | `hang`             | never settles until released (`release`); then applies and answers       |
 * | `slow`             | waits `ms` (via the `sleep` option), then applies and answers            |
 * | `late`             | answers at once (`resolve`, or `reject` like a timeout) but applies only   |
 * |                    | when released, or after `applyAfterMs` through `sleep`: a late-landing write |
 * | `corrupt`          | reads only: returns the stored bytes truncated, with one bit flipped,      |
 * |                    | foreign bytes, or the bytes stored under another key (`{ bytesOf }`)      |
 *
 * `close` honours `throw` and `hang` (a hanging `close()` never answers). Batch calls
 * are split into single calls (`getMany` → `get`s, ...), so per-key rules apply to them
 * too; `add` is its own operation. `keys` passes through untouched.
 *
 * Conditional writes are forwarded when the inner store has them (core's `memoryStore`
 * does) and take the faults of their plain operation: `setIfNewer` is a `set`,
 * `deleteIfNewer` a `delete` (a `late` answer of `setIfNewer` is `true`, written). The
 * `conditional: false` option hides them, capability included, to stand for a store
 * without them (last writer wins).
 *
 * Deterministic: no real timers unless a `slow`/`late` fault with a delay uses the
 * default `sleep`; pass your own `sleep` to drive delays by hand. Corruptions draw
 * from a PRNG seeded by the `seed` option.
 *
 * @example
 * ```ts
 * const store = faultStore(memoryStore())
 * store.inject({ op: 'set', fault: { kind: 'hang' }, times: 1 })
 * const writing = cache.set('k', 'v1')  // the remote write hangs...
 * await store.waitForHeld()
 * await store.release()                 // ...and lands now
 * ```
 */
import { type RemoteStore, StoreUnavailableError, type StoreWrite } from '../../src/index.js'

export type StoreOp = 'get' | 'set' | 'delete' | 'clear' | 'add' | 'close'

export type Corruption = 'truncate' | 'bit-flip' | 'foreign' | { readonly bytesOf: string }

export type Fault =
  | { readonly kind: 'throw' }
  | { readonly kind: 'throw-after-apply' }
  | { readonly kind: 'hang' }
  | { readonly kind: 'slow'; readonly ms: number }
  | {
      readonly kind: 'late'
      readonly answer: 'resolve' | 'reject'
      /** Apply after this delay (through `sleep`) instead of on `release`. */
      readonly applyAfterMs?: number
    }
  | { readonly kind: 'corrupt'; readonly how: Corruption }

export type KeyMatcher = string | RegExp | ((key: string) => boolean)

export interface FaultRule {
  readonly op: StoreOp | readonly StoreOp[]
  /** The raw key the cache sends to the store; every key when omitted. */
  readonly key?: KeyMatcher
  readonly fault: Fault
  /** Affects only the first `times` matching calls; every one when omitted. */
  readonly times?: number
}

/** Decides a fault for calls no rule matched; `undefined` for a normal call. */
export type FaultPolicy = (op: StoreOp, key: string | undefined) => Fault | undefined

/** A call kept back by a `hang` or `late` fault. */
export interface HeldCall {
  readonly op: StoreOp
  readonly key: string | undefined
  readonly fault: 'hang' | 'late'
}

export interface FaultStoreOptions {
  /** Seeds the PRNG behind bit flips and foreign bytes. Default 1. */
  readonly seed?: number
  /** How `slow` and delayed `late` faults wait. Default: a real, unref'd timer. */
  readonly sleep?: (ms: number) => Promise<void>
  readonly name?: string
  /** Forward `setIfNewer`/`deleteIfNewer` and the capability. Default: when the inner store has them. */
  readonly conditional?: boolean
}

export interface FaultStore extends RemoteStore {
  /** The wrapped store, untouched by faults: read or write it directly. */
  readonly inner: RemoteStore
  /** Adds a rule; returns a function that removes it. */
  inject(rule: FaultRule): () => void
  setPolicy(policy: FaultPolicy | undefined): void
  /** Removes every rule and the policy (held calls stay held). */
  heal(): void
  /** Calls currently held by `hang` or `late`. */
  readonly held: readonly HeldCall[]
  /** Resolves once at least `count` calls (matching `op` when given) are held. */
  waitForHeld(count?: number, op?: StoreOp): Promise<void>
  /** Lets held calls (those matching `op` when given) apply, in call order; resolves once applied. */
  release(op?: StoreOp): Promise<void>
  /** Keys written (set/add) through this wrapper, in first-write order. */
  readonly writtenKeys: readonly string[]
}

class InjectedFault extends StoreUnavailableError {
  constructor(store: string, op: StoreOp, key: string | undefined) {
    super(store, `injected fault on ${op}${key === undefined ? '' : ` "${key}"`}`, undefined, key)
  }
}

interface LiveRule extends FaultRule {
  remaining: number
}

interface Waiting {
  readonly call: HeldCall
  readonly go: () => Promise<void>
}

export function faultStore(inner: RemoteStore, options: FaultStoreOptions = {}): FaultStore {
  const name = options.name ?? `faulty(${inner.name})`
  const sleep = options.sleep ?? realSleep
  const random = mulberry32(options.seed ?? 1)
  let rules: LiveRule[] = []
  let policy: FaultPolicy | undefined
  const waiting: Waiting[] = []
  const heldWatchers: (() => void)[] = []
  const written = new Set<string>()

  const pick = (op: StoreOp, key: string | undefined): Fault | undefined => {
    for (const rule of rules) {
      if (rule.remaining <= 0 || !opMatches(rule.op, op) || !keyMatches(rule.key, key)) continue
      rule.remaining--
      return rule.fault
    }
    return policy?.(op, key)
  }

  const hold = (call: HeldCall, go: () => Promise<void>) => {
    waiting.push({ call, go })
    for (const notify of heldWatchers.splice(0)) notify()
  }

  /** Runs `apply` (the real operation) under the fault chosen for this call. */
  const run = <R>(
    op: StoreOp,
    key: string | undefined,
    apply: () => Promise<R>,
    fault: Fault | undefined = pick(op, key),
  ): Promise<R> => {
    if (fault === undefined || fault.kind === 'corrupt') return apply()
    switch (fault.kind) {
      case 'throw':
        return Promise.reject(new InjectedFault(name, op, key))
      case 'throw-after-apply':
        return apply().then(() => Promise.reject(new InjectedFault(name, op, key)))
      case 'slow':
        return sleep(fault.ms).then(apply)
      case 'hang':
        return new Promise<R>((resolve, reject) => {
          hold({ op, key, fault: 'hang' }, () => apply().then(resolve, reject))
        })
      case 'late': {
        const land = () => apply().then(ignore, ignore)
        if (fault.applyAfterMs === undefined) hold({ op, key, fault: 'late' }, land)
        else void sleep(fault.applyAfterMs).then(land)
        return fault.answer === 'resolve'
          ? Promise.resolve(undefined as R)
          : Promise.reject(new InjectedFault(name, op, key))
      }
    }
  }

  const get = (key: string): Promise<Uint8Array | undefined> => {
    const fault = pick('get', key)
    if (fault?.kind !== 'corrupt') return run('get', key, () => inner.get(key), fault)
    return inner.get(key).then((bytes) => corrupted(fault.how, bytes, random, inner))
  }
  const set = (key: string, value: Uint8Array, expiresAt: number) =>
    run('set', key, () => {
      written.add(key)
      return inner.set(key, value, expiresAt)
    })
  const del = (key: string) => run('delete', key, () => inner.delete(key))
  const conditional = options.conditional ?? inner.capabilities.conditionalWrite === true
  const conditionalMethods: Pick<RemoteStore, 'setIfNewer' | 'deleteIfNewer'> = conditional
    ? {
        setIfNewer: (key, value, expiresAt, version) =>
          run('set', key, () => {
            written.add(key)
            return inner.setIfNewer!(key, value, expiresAt, version)
          }).then((accepted) => accepted ?? true),
        deleteIfNewer: (key, version, tombstoneUntil) =>
          run('delete', key, () => inner.deleteIfNewer!(key, version, tombstoneUntil)),
      }
    : {}

  const store: FaultStore = {
    name,
    contractVersion: inner.contractVersion,
    capabilities: { ...inner.capabilities, conditionalWrite: conditional },
    inner,
    ...conditionalMethods,
    get,
    set,
    delete: del,
    clear: (prefix) => run('clear', prefix, () => inner.clear(prefix)),
    close: () => run('close', undefined, () => inner.close()),
    getMany: (keys) => Promise.all(keys.map(get)),
    setMany: async (entries: readonly StoreWrite[]) => {
      await Promise.all(entries.map((entry) => set(entry.key, entry.value, entry.expiresAt)))
    },
    deleteMany: async (keys) => {
      const removed = await Promise.all([...new Set(keys)].map(del))
      return removed.filter(Boolean).length
    },
    add: (key, value, expiresAt) =>
      run('add', key, () => {
        written.add(key)
        return addTo(inner, key, value, expiresAt)
      }),
    ...(inner.keys && { keys: (prefix: string) => inner.keys!(prefix) }),
    inject(rule) {
      const live: LiveRule = { ...rule, remaining: rule.times ?? Number.POSITIVE_INFINITY }
      rules.push(live)
      return () => {
        rules = rules.filter((r) => r !== live)
      }
    },
    setPolicy(next) {
      policy = next
    },
    heal() {
      rules = []
      policy = undefined
    },
    get held() {
      return waiting.map((w) => w.call)
    },
    async waitForHeld(count = 1, op) {
      const enough = () => waiting.filter((w) => op === undefined || w.call.op === op).length
      while (enough() < count) await new Promise<void>((resolve) => heldWatchers.push(resolve))
    },
    async release(op) {
      const chosen = waiting.filter((w) => op === undefined || w.call.op === op)
      for (const w of chosen) waiting.splice(waiting.indexOf(w), 1)
      for (const w of chosen) await w.go()
    },
    get writtenKeys() {
      return [...written]
    },
  }
  return store
}

async function corrupted(
  how: Corruption,
  bytes: Uint8Array | undefined,
  random: () => number,
  inner: RemoteStore,
): Promise<Uint8Array | undefined> {
  if (typeof how === 'object') return inner.get(how.bytesOf)
  if (how === 'foreign') {
    const out = new Uint8Array(16 + Math.floor(random() * 64))
    for (let i = 0; i < out.length; i++) out[i] = Math.floor(random() * 256)
    return out
  }
  if (bytes === undefined || bytes.byteLength === 0) return bytes
  if (how === 'truncate') return bytes.slice(0, Math.floor(random() * bytes.byteLength))
  const out = bytes.slice()
  const bit = Math.floor(random() * out.byteLength * 8)
  out[bit >> 3] = (out[bit >> 3] as number) ^ (1 << (bit & 7))
  return out
}

function opMatches(wanted: StoreOp | readonly StoreOp[], op: StoreOp): boolean {
  return typeof wanted === 'string' ? wanted === op : wanted.includes(op)
}

function keyMatches(matcher: KeyMatcher | undefined, key: string | undefined): boolean {
  if (matcher === undefined) return true
  if (key === undefined) return false
  if (typeof matcher === 'string') return matcher === key
  if (matcher instanceof RegExp) return matcher.test(key)
  return matcher(key)
}

async function addTo(store: RemoteStore, key: string, value: Uint8Array, expiresAt: number) {
  if (store.add) return store.add(key, value, expiresAt)
  if ((await store.get(key)) !== undefined) return false
  await store.set(key, value, expiresAt)
  return true
}

function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}

function ignore(): void {}

/** A small seeded PRNG (mulberry32): the same seed gives the same corruptions. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}
