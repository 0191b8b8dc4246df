import type { Reply } from './protocol.js'

/**
 * The version reply of a pair read (`Transport.getPair`, item and version in one write),
 * offered to the other calls of the same tick. Those get a promise of it, made only when
 * one asks: a pair that fails with nobody sharing it leaves no rejected promise behind.
 */
export class PairVersion {
  #state: 'pending' | 'resolved' | 'rejected' = 'pending'
  #reply: Reply | undefined
  #error: unknown
  #promise: Promise<Reply> | undefined
  #resolve: ((reply: Reply) => void) | undefined
  #reject: ((error: unknown) => void) | undefined

  /** The version reply, for a call that shares this read. */
  get promise(): Promise<Reply> {
    this.#promise ??=
      this.#state === 'resolved'
        ? Promise.resolve(this.#reply as Reply)
        : this.#state === 'rejected'
          ? Promise.reject(this.#error)
          : new Promise<Reply>((resolve, reject) => {
              this.#resolve = resolve
              this.#reject = reject
            })
    return this.#promise
  }

  resolve(reply: Reply): void {
    this.#state = 'resolved'
    this.#reply = reply
    this.#resolve?.(reply)
  }

  reject(error: unknown): void {
    this.#state = 'rejected'
    this.#error = error
    this.#reject?.(error)
  }
}
