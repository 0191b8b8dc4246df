import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, test } from 'vitest'
import { DECORATOR_OPTIONS, type DecoratorForm } from './compile-fixture.js'

const here = dirname(fileURLToPath(import.meta.url))
const packageRoot = join(here, '..', '..')

/** The package's own compiler options (strict, NodeNext, ...), with `form`'s decorator setting. */
function compilerOptions(form: DecoratorForm): ts.CompilerOptions {
  const path = join(packageRoot, 'tsconfig.json')
  const { config } = ts.readConfigFile(path, ts.sys.readFile)
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, packageRoot)
  return { ...parsed.options, ...DECORATOR_OPTIONS[form], noEmit: true }
}

function diagnostics(files: readonly string[], form: DecoratorForm): string[] {
  const program = ts.createProgram(
    files.map((file) => join(here, file)),
    compilerOptions(form),
  )
  return ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'))
}

/**
 * Type-checks the decorated fixtures as a user's project would compile them, once per
 * decorator setting: `@cached` and `@invalidates` must type-check as standard decorators
 * and under `experimentalDecorators: true` (which used to fail with TS1241). The
 * fixtures' `@ts-expect-error` lines (a synchronous method) must fail in both.
 */
describe('decorator types', () => {
  test.each<[DecoratorForm, string[]]>([
    ['standard', ['fixtures/services.ts', 'fixtures/standard-only.ts']],
    ['legacy', ['fixtures/services.ts']],
  ])(
    '%s decorators type-check',
    (form, files) => {
      expect(diagnostics(files, form)).toEqual([])
    },
    60_000,
  )
})
