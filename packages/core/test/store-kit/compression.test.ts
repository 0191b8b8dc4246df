import { describe, expect, test } from 'vitest'
import { compress, decompress, parseEncoding } from '../../src/store-kit/index.js'

const compressible = new TextEncoder().encode(
  'all work and no play makes jack a dull boy\n'.repeat(200),
)

describe('compress / decompress', () => {
  test.each([
    ['gzip', 'gzip'],
    ['brotli', 'br'],
  ] as const)('%s round-trips a compressible value, flagged %s', async (algorithm, flag) => {
    const { body, encoding } = await compress(compressible, algorithm, 1024)
    expect(encoding).toBe(flag)
    expect(body.byteLength).toBeLessThan(compressible.byteLength / 10)
    const back = await decompress(body, flag)
    expect(back).toEqual(compressible)
    expect(back.constructor).toBe(Uint8Array)
  })

  test('leaves values below the threshold, incompressible ones and "none" as they are', async () => {
    const random = crypto.getRandomValues(new Uint8Array(4096))
    for (const [value, algorithm, threshold] of [
      [compressible, 'gzip', compressible.byteLength + 1],
      [random, 'gzip', 0],
      [random, 'brotli', 0],
      [compressible, 'none', 0],
    ] as const) {
      const { body, encoding } = await compress(value, algorithm, threshold)
      expect(encoding).toBeUndefined()
      expect(body).toBe(value)
    }
  })

  test('decompress rejects corrupt input', async () => {
    await expect(decompress(new Uint8Array([1, 2, 3]), 'gzip')).rejects.toThrow()
    await expect(decompress(new Uint8Array([1, 2, 3]), 'br')).rejects.toThrow()
  })
})

describe('parseEncoding', () => {
  test('known flags, absent (undefined) and unknown (null)', () => {
    expect(parseEncoding('gzip')).toBe('gzip')
    expect(parseEncoding('br')).toBe('br')
    expect(parseEncoding(undefined)).toBeUndefined()
    expect(parseEncoding('')).toBeUndefined()
    expect(parseEncoding('zstd')).toBeNull()
  })
})

describe('decompress bounds its output', () => {
  const zeros = new Uint8Array(4 * 1024 * 1024)
  test.each(['gzip', 'brotli'] as const)('%s stops at maxBytes', async (algorithm) => {
    const { body, encoding } = await compress(zeros, algorithm, 0)
    if (encoding === undefined) throw new Error('zeros must compress')
    expect(body.byteLength).toBeLessThan(20_000)
    expect((await decompress(body, encoding, zeros.byteLength)).byteLength).toBe(zeros.byteLength)
    await expect(decompress(body, encoding, zeros.byteLength - 1)).rejects.toMatchObject({
      code: 'ERR_BUFFER_TOO_LARGE',
    })
  })
})
