import { describe, expect, test } from 'vitest'
import { InvalidKeyError, StoreUnavailableError } from '../../src/errors.js'
import { withDeadline } from '../../src/store-kit/index.js'

const options = { store: 'test', timeoutMs: 50, key: 'k' }

describe('withDeadline', () => {
  test('resolves with the operation result', async () => {
    expect(await withDeadline(options, async () => 'value')).toBe('value')
  })

  test('an operation that never settles rejects with StoreUnavailableError at the deadline, and sees its signal abort', async () => {
    let seen: AbortSignal | undefined
    const error = await withDeadline(options, (signal) => {
      seen = signal
      return new Promise<never>(() => {})
    }).catch((failure: unknown) => failure)
    expect(StoreUnavailableError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({
      store: 'test',
      key: 'k',
      message: 'test: no answer within 50 ms',
    })
    expect(seen?.aborted).toBe(true)
    expect(seen?.reason).toBe(error)
  })

  test('an operation that rejects on abort still rejects with the deadline error', async () => {
    const error = await withDeadline(options, (signal) => {
      return new Promise<never>((_, reject) => {
        signal.addEventListener('abort', () => reject(new Error('aborted')))
      })
    }).catch((failure: unknown) => failure)
    expect(StoreUnavailableError.isInstance(error)).toBe(true)
    expect((error as Error).message).toContain('no answer within 50 ms')
  })

  test('a foreign failure becomes StoreUnavailableError with it as the cause', async () => {
    const cause = new Error('ECONNREFUSED')
    const error = await withDeadline(options, async () => {
      throw cause
    }).catch((failure: unknown) => failure)
    expect(StoreUnavailableError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ store: 'test', key: 'k', message: 'test: ECONNREFUSED' })
    expect((error as Error).cause).toBe(cause)
  })

  test('a StackError passes through unchanged', async () => {
    const own = new InvalidKeyError('bad key')
    await expect(
      withDeadline(options, async () => {
        throw own
      }),
    ).rejects.toBe(own)
  })
})
