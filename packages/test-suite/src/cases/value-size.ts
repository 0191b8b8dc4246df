import { ValueTooLargeError } from '@stack/core'
import type { ConformanceCase } from '../case.js'
import { assertBytes, patternBytes, utf8 } from '../support/bytes.js'
import { assertRejectsWith } from '../support/errors.js'

/** Above this the suite does not allocate a value one byte over the limit. */
const LARGEST_CHECKED_LIMIT = 64 * 1024 * 1024

export const valueTooLargeCase: ConformanceCase = {
  name: 'values over maxValueBytes reject with ValueTooLargeError and leave the previous value (when maxValueBytes is at most 64 MiB)',
  appliesTo: ({ capabilities }) =>
    capabilities.maxValueBytes !== undefined && capabilities.maxValueBytes <= LARGEST_CHECKED_LIMIT,
  async run({ store, key, capabilities }) {
    const limit = capabilities.maxValueBytes!
    const previous = utf8('previous')
    await store.set(key('k'), previous, Infinity)
    const tooLarge = patternBytes(limit + 1, 9)
    await assertRejectsWith(
      () => store.set(key('k'), tooLarge, Infinity),
      ValueTooLargeError.isInstance,
      'ValueTooLargeError',
      `set of ${limit + 1} bytes`,
    )
    assertBytes(await store.get(key('k')), previous, 'the previous value after a rejected set')
    if (store.setMany) {
      await assertRejectsWith(
        () => store.setMany!([{ key: key('k'), value: tooLarge, expiresAt: Infinity }]),
        ValueTooLargeError.isInstance,
        'ValueTooLargeError',
        `setMany with a value of ${limit + 1} bytes`,
      )
      assertBytes(await store.get(key('k')), previous, 'the previous value after setMany')
    }
    const largest = patternBytes(limit, 10)
    await store.set(key('k'), largest, Infinity)
    assertBytes(await store.get(key('k')), largest, `a value of exactly ${limit} bytes`)
  },
}
