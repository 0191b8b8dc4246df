import { describe, expect, test } from 'vitest'
import { InvalidKeyError, InvalidOptionError } from '../../src/index.js'
import { compileTemplate } from '../../src/wrap/key-template.js'

const render = (template: string, ...args: unknown[]) => compileTemplate(template, 'key')(args)

describe('key templates', () => {
  test('positional placeholders', () => {
    expect(render('user:{0}', 42)).toBe('user:42')
    expect(render('{1}/{0}', 'a', 'b')).toBe('b/a')
    expect(render('flag:{0}:{1}', true, 10n)).toBe('flag:true:10')
  })

  test('a name reads a property of the first argument', () => {
    expect(render('user:{id}', { id: 'u1', name: 'ada' })).toBe('user:u1')
    expect(render('{org}:{id}', { org: 'acme', id: 7 })).toBe('acme:7')
  })

  test('paths read nested properties and array elements', () => {
    expect(render('city:{0.address.city}', { address: { city: 'Oslo' } })).toBe('city:Oslo')
    expect(render('{user.id}', { user: { id: 3 } })).toBe('3')
    expect(render('{1.0}', 'x', ['first'])).toBe('first')
  })

  test('getters of class instances are read like properties', () => {
    class User {
      constructor(readonly first: string) {}
      get id() {
        return `id-${this.first}`
      }
    }
    expect(render('user:{id}', new User('ada'))).toBe('user:id-ada')
  })

  test('doubled braces are literal', () => {
    expect(render('{{0}}:{0}', 'x')).toBe('{0}:x')
    expect(render('set{{}}')).toBe('set{}')
  })

  test('a template without placeholders is a constant', () => {
    expect(render('all-users', 'ignored')).toBe('all-users')
  })

  test('strings are inserted as they are', () => {
    expect(render('k:{0}', 'a:b c/ü')).toBe('k:a:b c/ü')
  })

  test.each([
    ['', 'a non-empty template string'],
    ['user:{0', 'unclosed "{"'],
    ['user:0}', 'unmatched "}"'],
    ['user:{}', 'invalid placeholder {}'],
    ['user:{a-b}', 'invalid placeholder {a-b}'],
    ['user:{0..id}', 'invalid placeholder {0..id}'],
  ])('malformed template %j is an InvalidOptionError', (template, message) => {
    const error = catchError(() => compileTemplate(template, 'key'))
    expect(InvalidOptionError.isInstance(error)).toBe(true)
    expect((error as InvalidOptionError).option).toBe('key')
    expect((error as Error).message).toContain(message)
  })

  test.each([
    ['user:{0}', [], '{0} (args[0]) is undefined'],
    ['user:{0}', [null], '{0} (args[0]) is null'],
    ['user:{0}', [{ id: 1 }], '{0} (args[0]) is an object'],
    ['user:{0}', [[1]], '{0} (args[0]) is an Array'],
    ['user:{0}', [Number.NaN], '{0} (args[0]) is NaN'],
    ['user:{id}', [42], '{id} (args[0].id) is undefined'],
    ['user:{0.a.b}', [{ a: null }], 'args[0].a is null'],
    ['user:{1.id}', ['x'], 'args[1] is undefined'],
  ])('template %j with %j is an InvalidKeyError', (template, args, message) => {
    const error = catchError(() => compileTemplate(template, 'key')(args))
    expect(InvalidKeyError.isInstance(error)).toBe(true)
    expect((error as Error).message).toContain(message)
  })
})

function catchError(call: () => unknown): unknown {
  try {
    call()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}
