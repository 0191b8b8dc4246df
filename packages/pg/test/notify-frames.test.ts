import { describe, expect, test } from 'vitest'
import { FrameAssembler, MAX_FRAME_BYTES, toFrames } from '../src/notify-frames.js'

describe('NOTIFY framing', () => {
  test('a message that fits is one frame', () => {
    expect(toFrames('hello', 'id')).toEqual(['=hello'])
    expect(new FrameAssembler().accept('=hello')).toBe('hello')
  })

  test('a large multi-byte message is split on character boundaries and reassembled', () => {
    const message = `${'é🔥x'.repeat(5_000)}end`
    const frames = toFrames(message, 'm1')
    expect(frames.length).toBeGreaterThan(1)
    for (const frame of frames) {
      expect(Buffer.byteLength(frame)).toBeLessThanOrEqual(MAX_FRAME_BYTES)
      expect(frame).not.toMatch(/\p{Cs}/u)
    }
    const assembler = new FrameAssembler()
    const results = frames.map((frame) => assembler.accept(frame))
    expect(results.slice(0, -1).every((result) => result === undefined)).toBe(true)
    expect(results.at(-1)).toBe(message)
  })

  test('reset drops a partial message; junk frames are ignored', () => {
    const assembler = new FrameAssembler()
    const frames = toFrames('y'.repeat(20_000), 'm2')
    assembler.accept(frames[0] as string)
    assembler.reset()
    for (const frame of frames.slice(1)) expect(assembler.accept(frame)).toBeUndefined()
    expect(assembler.accept('junk')).toBeUndefined()
    expect(assembler.accept('+x:5:2:bad index')).toBeUndefined()
  })
})
