import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, test } from 'vitest'
import { DECORATOR_OPTIONS, type DecoratorForm } from './compile-fixture.js'

const here = dirname(fileURLToPath(import.meta.url))
const packageRoot = join(here, '..', '..')
const doc = join(packageRoot, '..', '..', 'docs', 'wrapping.md')

/**
 * What the examples of docs/wrapping.md take as given (a user's types, database and
 * functions), declared once instead of in every block. Blocks are modules, so a block
 * that defines `cache` or `getUser` itself shadows these.
 */
const PREAMBLE = `
type User = { id: string; name: string }
type Row = { id: string; name: string }
type Ast = { readonly nodes: readonly unknown[] }
type Cache = import('@stack/core').Cache
declare const cache: Cache
declare const wrap: typeof import('@stack/core').wrap
declare const cached: typeof import('@stack/core').cached
declare const db: {
  users: {
    find(id: string): Promise<User>
    findOrNull(id: string): Promise<User | null>
    search(query: string, page: number): Promise<User[]>
    update(id: string, patch: Partial<User>): Promise<void>
    insertMany(rows: Row[]): Promise<void>
  }
}
declare function fetchUser(id: string): Promise<User>
declare function getUser(id: string): Promise<User>
declare function getOrder(order: { id: number }, region: string): Promise<unknown>
declare function search(query: string, page: number): Promise<User[]>
declare function searchUsers(filter: { id: number; include: string[] }): Promise<User[]>
declare function rawSearch(
  query: string,
  options: { signal?: AbortSignal; limit?: number },
): Promise<User[]>
declare function parse(source: string): Ast
declare const source: string
declare const updatedUser: User
declare class Users {
  find(id: string): Promise<User>
  search(query: string, page?: number): Promise<User[]>
}
`

interface Block {
  readonly line: number
  readonly code: string
}

/** The ```ts blocks of a markdown file, dedented, with the line each starts on. */
function typescriptBlocks(markdown: string): Block[] {
  const blocks: Block[] = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)```ts$/.exec(lines[i] as string)
    if (open === null) continue
    const indent = (open[1] as string).length
    const start = i + 1
    while (!/^ *```$/.test(lines[++i] as string)) {
      if (i >= lines.length) throw new Error(`unclosed block at line ${start}`)
    }
    const code = lines.slice(start, i).map((line) => line.slice(indent))
    blocks.push({ line: start + 1, code: code.join('\n') })
  }
  return blocks
}

/** Type-checks each block as its own module; returns `line: message` for each error. */
function check(blocks: readonly Block[], form: DecoratorForm): string[] {
  const { config } = ts.readConfigFile(join(packageRoot, 'tsconfig.json'), ts.sys.readFile)
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, packageRoot)
  const options: ts.CompilerOptions = {
    ...parsed.options,
    ...DECORATOR_OPTIONS[form],
    noEmit: true,
    paths: { '@stack/core': [join(packageRoot, 'src', 'index.ts')] },
  }
  const virtual = new Map<string, string>([[join(here, '__docs__', 'preamble.d.ts'), PREAMBLE]])
  const fileOf = new Map<string, Block>()
  blocks.forEach((block, index) => {
    const file = join(here, '__docs__', `block-${index}.ts`)
    virtual.set(file, `${block.code}\nexport {}\n`)
    fileOf.set(file, block)
  })
  const host = ts.createCompilerHost(options)
  const { fileExists, readFile, getSourceFile } = host
  host.fileExists = (file) => virtual.has(file) || fileExists(file)
  host.readFile = (file) => virtual.get(file) ?? readFile(file)
  host.getSourceFile = (file, language, ...rest) => {
    const text = virtual.get(file)
    if (text === undefined) return getSourceFile(file, language, ...rest)
    return ts.createSourceFile(file, text, language)
  }
  const program = ts.createProgram([...virtual.keys()], options, host)
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')
    const block = diagnostic.file === undefined ? undefined : fileOf.get(diagnostic.file.fileName)
    if (block === undefined || diagnostic.start === undefined) {
      return `${diagnostic.file?.fileName ?? '?'}: ${message}`
    }
    const { line } = diagnostic.file?.getLineAndCharacterOfPosition(diagnostic.start) ?? {
      line: 0,
    }
    return `docs/wrapping.md:${block.line + line}: ${message}`
  })
}

describe('docs/wrapping.md', () => {
  const blocks = typescriptBlocks(readFileSync(doc, 'utf8'))

  test('has TypeScript examples', () => {
    expect(blocks.length).toBeGreaterThan(10)
  })

  test('every TypeScript block compiles (standard decorators)', () => {
    expect(check(blocks, 'standard')).toEqual([])
  }, 60_000)

  test('every block with a decorator also compiles with experimentalDecorators', () => {
    const decorated = blocks.filter((block) => /@(cached|invalidates)\(/.test(block.code))
    expect(decorated.length).toBeGreaterThanOrEqual(3)
    expect(check(decorated, 'legacy')).toEqual([])
  }, 60_000)
})
