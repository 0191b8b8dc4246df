import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import ts from 'typescript'

const here = dirname(fileURLToPath(import.meta.url))

/**
 * Imports a fixture that uses standard (TC39) decorators, which Vitest's transform
 * cannot lower: TypeScript compiles it to ES2022 (decorators lowered), its relative
 * imports are pointed back at the sources, and the result is imported from a temporary
 * directory. Returns the module and a cleanup function.
 */
export async function importDecorated<M>(
  fixture: string,
): Promise<{ module: M; cleanup: () => Promise<void> }> {
  const path = join(here, fixture)
  const source = await readFile(path, 'utf8')
  const { outputText, diagnostics } = ts.transpileModule(source, {
    fileName: path,
    reportDiagnostics: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      verbatimModuleSyntax: false,
    },
  })
  if (diagnostics !== undefined && diagnostics.length > 0) {
    throw new Error(ts.formatDiagnostics(diagnostics, ts.createCompilerHost({})))
  }
  const absolute = outputText.replace(/from '(\.{1,2}\/[^']+)\.js'/g, (_, specifier: string) => {
    const target = pathToFileURL(resolve(dirname(path), `${specifier}.ts`)).href
    return `from '${target}'`
  })
  const directory = await mkdtemp(join(tmpdir(), 'stack-decorators-'))
  const output = join(directory, basename(fixture).replace(/\.ts$/, '.mjs'))
  await writeFile(output, absolute)
  const module = (await import(/* @vite-ignore */ pathToFileURL(output).href)) as M
  return { module, cleanup: () => rm(directory, { recursive: true, force: true }) }
}
