import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { InvalidKeyError, InvalidOptionError } from '../../src/index.js'
import {
  argumentsKey,
  canonicalArguments,
  DIGEST_LENGTH,
  MAX_PLAIN_ARGUMENTS,
} from '../../src/wrap/argument-hash.js'
import { compileExclusions } from '../../src/wrap/exclusions.js'

const keyOf = (...args: unknown[]) => argumentsKey(args, undefined, 'f')
const canonical = (...args: unknown[]) => canonicalArguments(args, undefined, 'f')

/** Rebuilds `value` with every object's keys in reverse insertion order. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([name, item]) => [name, reversed(item)]),
  )
}

/** An independent canonical form of JSON values: JSON with object keys sorted. */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_, item: unknown) =>
    typeof item === 'object' && item !== null && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  )
}

describe('canonical encoding', () => {
  test('is pinned, so keys stay the same across processes and releases', () => {
    expect(canonical()).toBe('[]')
    expect(canonical(42, 'a', true, null, 10n)).toBe('[42,"a",true,null,10n]')
    expect(canonical({ b: 1, a: [1, 'x'] })).toBe('[{"a":[1,"x"],"b":1}]')
    expect(canonical(new Date(1_700_000_000_000))).toBe('[Date(1700000000000)]')
    expect(
      canonical(
        new Map([
          ['b', 2],
          ['a', 1],
        ]),
      ),
    ).toBe('[Map{"a"=>1,"b"=>2}]')
    expect(canonical(new Set([3, 1, 2]))).toBe('[Set{1,2,3}]')
    expect(canonical(new Uint8Array([1, 255]))).toBe('[Uint8Array(01ff)]')
    expect(canonical(new Float64Array([1.5, -2]))).toBe('[Float64Array(1.5,-2)]')
    expect(canonical(new BigInt64Array([5n]))).toBe('[BigInt64Array(5n)]')
    expect(canonical(/a+/gi, new URL('https://example.com/a?b=1'))).toBe(
      '[/a+/gi,URL("https://example.com/a?b=1")]',
    )
    expect(canonical('quote " and \\ and \n')).toBe('["quote \\" and \\\\ and \\n"]')
    // base64url(sha256('[{"filter":"xxx…"}]')), first 22 characters
    expect(keyOf({ filter: 'x'.repeat(100) })).toBe('#ol4WSNPeeXVSv8K7IYU7qI')
  })

  test('numbers and strings that print alike stay distinct', () => {
    const keys = [keyOf(1), keyOf('1'), keyOf(1n), keyOf(true), keyOf('true'), keyOf(null)]
    expect(new Set(keys).size).toBe(keys.length)
  })

  test('trailing undefined arguments and undefined properties count as absent', () => {
    expect(keyOf(1, undefined)).toBe(keyOf(1))
    expect(keyOf({ a: 1, b: undefined })).toBe(keyOf({ a: 1 }))
    expect(keyOf(undefined, 1)).not.toBe(keyOf(1))
    expect(keyOf([1, undefined])).not.toBe(keyOf([1]))
  })

  test('0 and -0 are one key; NaN and the infinities are keys of their own', () => {
    expect(keyOf(-0)).toBe(keyOf(0))
    const keys = [keyOf(Number.NaN), keyOf(Infinity), keyOf(-Infinity), keyOf('NaN'), keyOf(0)]
    expect(new Set(keys).size).toBe(keys.length)
  })

  test('a Buffer and a Uint8Array of the same bytes are one key', () => {
    expect(keyOf(Buffer.from([1, 2]))).toBe(keyOf(new Uint8Array([1, 2])))
    expect(keyOf(new Uint8Array([1, 2, 3]).subarray(1))).toBe(keyOf(new Uint8Array([2, 3])))
  })

  test('a class instance with toJSON() is encoded through it, with its class name', () => {
    class Money {
      constructor(
        readonly amount: number,
        readonly currency: string,
      ) {}
      toJSON() {
        return `${this.amount} ${this.currency}`
      }
    }
    expect(canonical(new Money(5, 'EUR'))).toBe('[new Money("5 EUR")]')
    expect(keyOf(new Money(5, 'EUR'))).toBe(keyOf(new Money(5, 'EUR')))
    expect(keyOf(new Money(5, 'EUR'))).not.toBe(keyOf('5 EUR'))
  })

  test('objects without a prototype are plain objects', () => {
    const bare = Object.assign(Object.create(null) as object, { a: 1 })
    expect(keyOf(bare)).toBe(keyOf({ a: 1 }))
  })

  test('shared (non-cyclic) references are fine', () => {
    const shared = { id: 1 }
    expect(canonical([shared, shared])).toBe('[[{"id":1},{"id":1}]]')
  })

  test('short encodings are used as they are, long ones hashed', () => {
    expect(keyOf('a')).toBe('["a"]')
    const atLimit = 'x'.repeat(MAX_PLAIN_ARGUMENTS - 4)
    expect(keyOf(atLimit)).toBe(`["${atLimit}"]`)
    const hashed = keyOf(`${atLimit}x`)
    expect(hashed).toMatch(new RegExp(`^#[A-Za-z0-9_-]{${DIGEST_LENGTH}}$`))
  })

  test('property: the order of object keys does not matter', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(keyOf(reversed(a), reversed(b))).toBe(keyOf(a, b))
      }),
      { numRuns: 300 },
    )
  })

  test('property: the insertion order of Maps and Sets does not matter', () => {
    const entries = fc.uniqueArray(fc.tuple(fc.string(), fc.integer()), {
      selector: ([key]) => key,
      maxLength: 10,
    })
    fc.assert(
      fc.property(entries, (list) => {
        const forward = new Map(list)
        const backward = new Map([...list].reverse())
        expect(keyOf(backward)).toBe(keyOf(forward))
        expect(keyOf(new Set([...list].reverse().map(([key]) => key)))).toBe(
          keyOf(new Set(list.map(([key]) => key))),
        )
      }),
      { numRuns: 200 },
    )
  })

  test('property: distinct JSON values give distinct keys', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.jsonValue(), { selector: sortedJson, maxLength: 40 }),
        (values) => {
          const keys = values.map((value) => keyOf(value))
          expect(new Set(keys).size).toBe(values.length)
        },
      ),
      { numRuns: 100 },
    )
  })

  test('property: distinct strings give distinct keys, hashed or not', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 120 }), { maxLength: 50 }),
        (values) => {
          expect(new Set(values.map((value) => keyOf(value))).size).toBe(values.length)
        },
      ),
      { numRuns: 40 },
    )
  })

  test('a sample of distinct values of every supported kind gives distinct keys', () => {
    const sample: unknown[] = [
      1,
      '1',
      1n,
      true,
      'true',
      null,
      'null',
      [],
      {},
      [1],
      ['1'],
      [[1]],
      { a: 1 },
      { a: '1' },
      { '1': 1 },
      new Date(1),
      new Date(2),
      new Date(Number.NaN),
      new Map(),
      new Map([[1, 2]]),
      new Map([['1', 2]]),
      new Map([[{ a: 1 }, 1]]),
      new Set(),
      new Set([1]),
      new Set(['1']),
      new Uint8Array([1]),
      new Int8Array([1]),
      new Uint16Array([1]),
      new Uint8Array([1, 0]),
      new DataView(new Uint8Array([1]).buffer),
      new Uint8Array([1]).buffer,
      /a/,
      /a/g,
      new URL('https://example.com/'),
      'URL("https://example.com/")',
      'Date(1)',
      'x'.repeat(200),
      'y'.repeat(200),
    ]
    const keys = sample.map((value) => keyOf(value))
    expect(new Set(keys).size).toBe(sample.length)
  })
})

describe('unhashable arguments', () => {
  test.each([
    ['a function', [() => 1], 'args[0] is a function'],
    ['a symbol', [Symbol('s')], 'args[0] is a symbol'],
    ['a nested function', [1, { onProgress() {} }], 'args[1].onProgress is a function'],
    ['a function in an array', [[1, 2, () => 3]], 'args[0][2] is a function'],
    ['an odd property name', [{ 'a b': Symbol('x') }], 'args[0]["a b"] is a symbol'],
    ['a Map value', [new Map([['k', () => 1]])], 'args[0].get("k") is a function'],
    ['a Set member', [new Set([Symbol('x')])], 'args[0].values() is a symbol'],
    ['a class instance', [new (class Client {})()], 'args[0] is a Client, a class instance'],
    ['a Promise', [{ p: Promise.resolve(1) }], 'args[0].p is a Promise'],
    ['a WeakMap', [new WeakMap()], 'args[0] is a WeakMap'],
  ])('%s is an InvalidKeyError naming where it is', (_, args, message) => {
    expect(() => keyOf(...args)).toThrow(InvalidKeyError)
    expect(() => keyOf(...args)).toThrow(`cannot build a default cache key for f: ${message}`)
  })

  test('a cycle is an InvalidKeyError naming where it closes', () => {
    const node: { name: string; parent?: unknown; children: unknown[] } = {
      name: 'root',
      children: [],
    }
    node.children.push({ name: 'leaf', parent: node })
    expect(() => keyOf('x', node)).toThrow(
      'args[1].children[0].parent refers back to an enclosing object (a cycle)',
    )
    const list: unknown[] = []
    list.push(list)
    expect(() => keyOf(list)).toThrow('args[0][0] refers back')
  })

  test('a toJSON() that returns its own object is a cycle, not a hang', () => {
    class Loop {
      toJSON() {
        return this
      }
    }
    expect(() => keyOf(new Loop())).toThrow('args[0].toJSON() refers back')
  })
})

describe('exclusions', () => {
  const keyWithout = (exclude: (number | string)[], ...args: unknown[]) =>
    argumentsKey(args, compileExclusions(exclude), 'f')

  test('an excluded argument does not change the key', () => {
    const signal = new AbortController().signal
    expect(keyWithout([1], 'q', signal)).toBe(keyWithout([1], 'q', 'other'))
    expect(keyWithout([1], 'q', signal)).toBe(keyOf('q'))
    expect(keyWithout([1], 'q', signal, 2)).toBe(keyOf('q', undefined, 2))
  })

  test('a name excludes a property of the first argument; a path any property', () => {
    const onProgress = () => {}
    expect(keyWithout(['onProgress'], { id: 1, onProgress })).toBe(keyOf({ id: 1 }))
    expect(
      keyWithout(['1.options.signal'], 'q', { options: { signal: onProgress, limit: 3 } }),
    ).toBe(keyOf('q', { options: { limit: 3 } }))
    expect(keyWithout(['0.1'], ['a', () => 1, 'c'])).toBe(keyOf(['a', undefined, 'c']))
  })

  test('a shorter path wins over a longer one, in any order', () => {
    expect(keyWithout(['0.a.b', '0.a'], { a: { b: 1, c: 2 }, d: 3 })).toBe(keyOf({ d: 3 }))
    expect(keyWithout(['0.a', '0.a.b'], { a: { b: 1, c: 2 }, d: 3 })).toBe(keyOf({ d: 3 }))
  })

  test.each([[[-1]], [[1.5]], [['a b']], [['']], [[null]], ['signal']])(
    'exclude %j is an InvalidOptionError',
    (exclude) => {
      expect(() => compileExclusions(exclude as (number | string)[])).toThrow(InvalidOptionError)
    },
  )
})
