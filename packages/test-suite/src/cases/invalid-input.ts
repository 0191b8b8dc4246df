import { InvalidKeyError, InvalidOptionError, type RemoteStore } from '@stack/core'
import type { CaseContext, ConformanceCase } from '../case.js'
import { assertBytes, assertMissing, utf8 } from '../support/bytes.js'
import { assertRejectsWith } from '../support/errors.js'
import { listKeys } from '../support/keys.js'

/** Reaching past the types on purpose: the suite sends what TypeScript would refuse. */
type Loose = (...args: unknown[]) => Promise<unknown>
const loose = (store: RemoteStore, method: keyof RemoteStore): Loose =>
  (store[method] as Loose).bind(store)

const isInvalidKey = InvalidKeyError.isInstance
const naming = (option: string) => (error: unknown) =>
  InvalidOptionError.isInstance(error) && error.option === option

/** Values that are not a `Uint8Array`. An `ArrayBuffer` and a plain array are common slips. */
const NOT_BYTES: readonly [string, unknown][] = [
  ['a string', 'text'],
  ['an ArrayBuffer', new ArrayBuffer(4)],
  ['an array of numbers', [1, 2, 3]],
  ['a DataView', new DataView(new ArrayBuffer(4))],
  ['null', null],
  ['undefined', undefined],
]

/** Expiries that are not epoch milliseconds (`-Infinity` is: it means "already expired"). */
const NOT_EXPIRIES: readonly [string, unknown][] = [
  ['NaN', Number.NaN],
  ['a numeric string', '1700000000000'],
  ['undefined', undefined],
  ['null', null],
  ['a Date', new Date()],
]

const NOT_PREFIXES: readonly [string, unknown][] = [
  ['undefined', undefined],
  ['null', null],
  ['a number', 42],
  ['an array', ['a']],
]

async function rejectsBadKeys({ store }: CaseContext): Promise<void> {
  const value = utf8('v')
  for (const [label, bad] of [
    ["''", ''],
    ['undefined', undefined],
    ['a number', 42],
  ] as const) {
    const calls: [string, () => Promise<unknown>][] = [
      ['get', () => loose(store, 'get')(bad)],
      ['set', () => loose(store, 'set')(bad, value, Infinity)],
      ['delete', () => loose(store, 'delete')(bad)],
    ]
    if (store.getMany) calls.push(['getMany', () => loose(store, 'getMany')([bad])])
    if (store.setMany) {
      calls.push(['setMany', () => loose(store, 'setMany')([{ key: bad, value, expiresAt: 1e15 }])])
    }
    if (store.deleteMany) calls.push(['deleteMany', () => loose(store, 'deleteMany')([bad])])
    if (store.add) calls.push(['add', () => loose(store, 'add')(bad, value, Infinity)])
    for (const [method, call] of calls) {
      await assertRejectsWith(call, isInvalidKey, 'InvalidKeyError', `${method} with key ${label}`)
    }
  }
}

async function rejectsBadWrites({ store, key }: CaseContext): Promise<void> {
  await store.set(key('k'), utf8('previous'), Infinity)
  const writes: [string, (value: unknown, expiresAt: unknown) => Promise<unknown>][] = [
    ['set', (value, expiresAt) => loose(store, 'set')(key('k'), value, expiresAt)],
  ]
  if (store.add) {
    writes.push(['add', (value, expiresAt) => loose(store, 'add')(key('free'), value, expiresAt)])
  }
  if (store.setMany) {
    writes.push([
      'setMany',
      (value, expiresAt) => loose(store, 'setMany')([{ key: key('k'), value, expiresAt }]),
    ])
  }
  for (const [method, write] of writes) {
    for (const [label, bad] of NOT_BYTES) {
      await assertRejectsWith(
        () => write(bad, Infinity),
        naming('value'),
        "InvalidOptionError naming 'value'",
        `${method} of ${label}`,
      )
    }
    for (const [label, bad] of NOT_EXPIRIES) {
      await assertRejectsWith(
        () => write(utf8('v'), bad),
        naming('expiresAt'),
        "InvalidOptionError naming 'expiresAt'",
        `${method} with expiresAt ${label}`,
      )
    }
  }
  assertBytes(await store.get(key('k')), utf8('previous'), 'the value after rejected writes')
  assertMissing(await store.get(key('free')), 'a key only rejected adds were given')
}

async function rejectsBadPrefixes({ store, key, capabilities }: CaseContext): Promise<void> {
  await store.set(key('kept'), utf8('kept'), Infinity)
  for (const [label, bad] of NOT_PREFIXES) {
    await assertRejectsWith(
      () => loose(store, 'clear')(bad),
      naming('prefix'),
      "InvalidOptionError naming 'prefix'",
      `clear(${label})`,
    )
    if (capabilities.keys && store.keys) {
      const keys = store.keys.bind(store) as (prefix: unknown) => AsyncIterable<string>
      // Either at the call or at the first step of the iteration.
      await assertRejectsWith(
        async () => listKeys(keys(bad)),
        naming('prefix'),
        "InvalidOptionError naming 'prefix'",
        `keys(${label})`,
      )
    }
  }
  assertBytes(await store.get(key('kept')), utf8('kept'), 'a key after rejected clears')
}

async function setManyIsAllOrNothing({ store, key }: CaseContext): Promise<void> {
  if (!store.setMany) return
  await store.set(key('batch/a'), utf8('previous'), Infinity)
  const batch = [
    { key: key('batch/a'), value: utf8('new'), expiresAt: Infinity },
    { key: key('batch/b'), value: utf8('new'), expiresAt: Infinity },
    { key: key('batch/c'), value: 'not bytes', expiresAt: Infinity },
  ]
  await assertRejectsWith(
    () => loose(store, 'setMany')(batch),
    naming('value'),
    "InvalidOptionError naming 'value'",
    'setMany with one invalid entry',
  )
  assertBytes(
    await store.get(key('batch/a')),
    utf8('previous'),
    'a valid entry of a rejected setMany',
  )
  assertMissing(await store.get(key('batch/b')), 'a new valid entry of a rejected setMany')
}

export const invalidInputCase: ConformanceCase = {
  name: "invalid input rejects and writes nothing: '' and non-string keys (InvalidKeyError), non-Uint8Array values, NaN/string/missing expiries and non-string prefixes (InvalidOptionError naming value, expiresAt, prefix); a setMany with one invalid entry writes none",
  async run(context) {
    await rejectsBadKeys(context)
    await rejectsBadWrites(context)
    await rejectsBadPrefixes(context)
    await setManyIsAllOrNothing(context)
  },
}
