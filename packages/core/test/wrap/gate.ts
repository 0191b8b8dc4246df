/** A promise the test opens by hand, to hold a function call open while others happen. */
export function gate(): { readonly wait: Promise<void>; open(): void } {
  let open!: () => void
  const wait = new Promise<void>((resolve) => {
    open = resolve
  })
  return { wait, open }
}

/** Lets pending promise callbacks run (several microtask turns and one macrotask). */
export function settleCallbacks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
