/**
 * Framing of bus messages over NOTIFY, whose payload must stay under 8000 bytes.
 *
 * A message that fits travels as `=` + text. A longer one is split on character
 * boundaries into `+<id>:<index>:<count>:` + part frames, all sent in one transaction:
 * PostgreSQL delivers a transaction's notifications together and in order, so a
 * listener sees every part or none.
 */

/** Largest payload PostgreSQL accepts is 7999 bytes; leave room for the frame header. */
export const MAX_FRAME_BYTES = 7_999
const MAX_HEADER_BYTES = 64

/** The NOTIFY payloads carrying `text` (already free of U+0000 and lone surrogates). */
export function toFrames(text: string, id: string): string[] {
  if (Buffer.byteLength(text) + 1 <= MAX_FRAME_BYTES) return [`=${text}`]
  const parts = splitUtf8(text, MAX_FRAME_BYTES - MAX_HEADER_BYTES)
  return parts.map((part, index) => `+${id}:${index}:${parts.length}:${part}`)
}

/** Splits `text` into pieces of at most `maxBytes` UTF-8 bytes, never inside a character. */
function splitUtf8(text: string, maxBytes: number): string[] {
  const parts: string[] = []
  let start = 0
  let bytes = 0
  let index = 0
  for (const char of text) {
    const size = utf8Size(char.codePointAt(0) as number)
    if (bytes + size > maxBytes) {
      parts.push(text.slice(start, index))
      start = index
      bytes = 0
    }
    bytes += size
    index += char.length
  }
  parts.push(text.slice(start))
  return parts
}

function utf8Size(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4
}

/** Reassembles frames into messages; partial messages are dropped by {@link reset}. */
export class FrameAssembler {
  readonly #partial = new Map<string, { parts: string[]; received: number }>()

  /** The complete message `frame` finishes, `undefined` while parts are missing or for junk. */
  accept(frame: string): string | undefined {
    if (frame.startsWith('=')) return frame.slice(1)
    const header = /^\+([^:]+):(\d+):(\d+):/.exec(frame)
    if (!header) return undefined
    const [prefix, id, indexText, countText] = header as unknown as [string, string, string, string]
    const index = Number(indexText)
    const count = Number(countText)
    if (index >= count) return undefined
    const entry = this.#partial.get(id) ?? { parts: new Array<string>(count), received: 0 }
    this.#partial.set(id, entry)
    if (entry.parts[index] === undefined) entry.received++
    entry.parts[index] = frame.slice(prefix.length)
    if (entry.received < count) return undefined
    this.#partial.delete(id)
    return entry.parts.join('')
  }

  /** Forgets partial messages (after a reconnect, their remaining parts will not come). */
  reset(): void {
    this.#partial.clear()
  }
}
