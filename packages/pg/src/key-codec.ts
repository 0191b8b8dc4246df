/**
 * PostgreSQL `text` cannot hold U+0000, and lone UTF-16 surrogates do not survive UTF-8,
 * so keys (and bus payloads) are escaped with U+0001 before they reach the server.
 *
 * The escape is a prefix code: every escaped character starts with U+0001 and no
 * unescaped character does, so `encodeText(p)` is a prefix of `encodeText(k)` exactly
 * when `p` is a prefix of `k` (short of a prefix that splits a surrogate pair). That keeps
 * `clear(prefix)` and `keys(prefix)` exact on the encoded column.
 */

const ESCAPE = '\u0001'

const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff
const isLow = (code: number) => code >= 0xdc00 && code <= 0xdfff

function needsEscape(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code <= 1 || (code >= 0xd800 && code <= 0xdfff)) return true
  }
  return false
}

/** Escapes U+0000, U+0001 and lone surrogates; other strings come back unchanged. */
export function encodeText(text: string): string {
  if (!needsEscape(text)) return text
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code === 0) out += `${ESCAPE}0`
    else if (code === 1) out += `${ESCAPE}1`
    else if (isHigh(code) && isLow(text.charCodeAt(i + 1))) {
      out += text.slice(i, i + 2)
      i++
    } else if (isHigh(code) || isLow(code)) out += `${ESCAPE}s${code.toString(16)}`
    else out += text[i]
  }
  return out
}

/** The inverse of {@link encodeText}. */
export function decodeText(text: string): string {
  if (!text.includes(ESCAPE)) return text
  let out = ''
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== ESCAPE) {
      out += text[i]
      continue
    }
    const kind = text[i + 1]
    if (kind === '0') out += '\u0000'
    else if (kind === '1') out += ESCAPE
    else {
      out += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16))
      i += 4
    }
    i++
  }
  return out
}
