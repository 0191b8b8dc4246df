import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import ts from 'typescript'

const here = dirname(fileURLToPath(import.meta.url))

/** The two ways TypeScript compiles decorators. */
export type DecoratorForm = 'standard' | 'legacy'

/**
 * The compiler options of each form: standard (TC39) decorators are TypeScript 5's
 * default; legacy ones are what NestJS projects set (`experimentalDecorators` with
 * `emitDecoratorMetadata`).
 */
export const DECORATOR_OPTIONS: Record<DecoratorForm, ts.CompilerOptions> = {
  standard: { experimentalDecorators: false },
  legacy: { experimentalDecorators: true, emitDecoratorMetadata: true },
}

/**
 * Imports a fixture that uses decorators, which Vitest's transform cannot lower in the
 * standard form: TypeScript compiles it to ES2022 with the form's decorators lowered,
 * its relative imports are pointed back at the sources, and the result is imported from
 * a temporary directory. Returns the module, the compiled code and a cleanup function.
 */
export async function importDecorated<M>(
  fixture: string,
  form: DecoratorForm = 'standard',
): Promise<{ module: M; code: string; cleanup: () => Promise<void> }> {
  const path = join(here, fixture)
  const source = await readFile(path, 'utf8')
  const { outputText, diagnostics } = ts.transpileModule(source, {
    fileName: path,
    reportDiagnostics: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      verbatimModuleSyntax: false,
      ...DECORATOR_OPTIONS[form],
    },
  })
  if (diagnostics !== undefined && diagnostics.length > 0) {
    throw new Error(ts.formatDiagnostics(diagnostics, ts.createCompilerHost({})))
  }
  const absolute = outputText.replace(/from '(\.{1,2}\/[^']+)\.js'/g, (_, specifier: string) => {
    const target = pathToFileURL(resolve(dirname(path), `${specifier}.ts`)).href
    return `from '${target}'`
  })
  const directory = await mkdtemp(join(tmpdir(), `stack-decorators-${form}-`))
  const output = join(directory, basename(fixture).replace(/\.ts$/, '.mjs'))
  await writeFile(output, absolute)
  const module = (await import(/* @vite-ignore */ pathToFileURL(output).href)) as M
  return {
    module,
    code: outputText,
    cleanup: () => rm(directory, { recursive: true, force: true }),
  }
}
