import { describe, expect, test } from 'vitest'
import { type ObjectStoreOptions, resolveObjectStoreOptions } from '../../src/store-kit/index.js'

describe('resolveObjectStoreOptions', () => {
  test('applies the defaults', () => {
    expect(resolveObjectStoreOptions({ bucket: 'b' }, { factory: 'testStore' })).toEqual({
      bucket: 'b',
      prefix: '',
      timeoutMs: 10_000,
      compression: 'none',
      compressionThreshold: 1024,
      dedupeWrites: false,
      conditionalWrites: true,
      deleteExpiredOnRead: false,
      concurrency: 16,
      maxValueBytes: undefined,
    })
    const limited = resolveObjectStoreOptions({ bucket: 'b' }, { factory: 't', maxValueBytes: 5 })
    expect(limited.maxValueBytes).toBe(5)
  })

  test('bad options throw InvalidOptionError naming the option', () => {
    const cases: [ObjectStoreOptions, string][] = [
      [undefined as unknown as ObjectStoreOptions, 'options'],
      [{ bucket: '' }, 'bucket'],
      [{ bucket: 'b', prefix: 'cache' }, 'prefix'],
      [{ bucket: 'b', prefix: 'a/../' }, 'prefix'],
      [{ bucket: 'b', timeout: 0 }, 'timeout'],
      [{ bucket: 'b', timeout: 'soon' }, 'timeout'],
      [{ bucket: 'b', compression: 'zstd' as 'gzip' }, 'compression'],
      [{ bucket: 'b', compressionThreshold: -1 }, 'compressionThreshold'],
      [{ bucket: 'b', concurrency: 0 }, 'concurrency'],
      [{ bucket: 'b', maxValueBytes: 0 }, 'maxValueBytes'],
      [{ bucket: 'b', dedupeWrites: 'yes' as unknown as boolean }, 'dedupeWrites'],
      [{ bucket: 'b', conditionalWrites: 1 as unknown as boolean }, 'conditionalWrites'],
      [{ bucket: 'b', deleteExpiredOnRead: null as unknown as boolean }, 'deleteExpiredOnRead'],
    ]
    for (const [options, option] of cases) {
      expect(() => resolveObjectStoreOptions(options, { factory: 'testStore' })).toThrow(
        expect.objectContaining({ code: 'E_INVALID_OPTION', option }),
      )
    }
  })
})
