// Typechecks every ```ts / ```typescript block of the READMEs and docs/ against the built
// packages (run `pnpm build` first), so that documentation examples keep compiling.
//
// - Each block is its own ES module (top-level await allowed), compiled with `strict`.
// - Imports resolve as they would in some workspace package: `@stack/*` to the built
//   packages, third-party modules (ioredis, postgres, keyv, ...) to the package that
//   depends on them. Relative imports (`../src/index.js`) stand for the reader's own code
//   and become modules exporting `any`.
// - Names a block uses but never declares (`db`, `loadUser`, `id`, `User`) are the reader's
//   own values and types: they are declared as `any` and listed with --verbose. Everything
//   else, above all every use of @stack's API, is checked as written.
// - A block whose info string says `no-check` (```ts no-check) is skipped.
//
// `node scripts/check-doc-blocks.mjs [--verbose]`; `--self-test` proves the check fails on
// a broken block. Exit 1 on any error.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const BLOCK_DIR = join(root, '.doc-blocks')
const FENCE = /^([ \t]*)(```+|~~~+)\s*(\S*)(.*)$/
// Cannot find name 'x' (2304, 2552 with a suggestion), shorthand `{ x }` with no x (18004).
const UNKNOWN_NAME = new Set([2304, 2552, 18004])

/** Markdown files whose code blocks are checked. */
export function markdownFiles() {
  const inDir = (dir, pick) =>
    readdirSync(join(root, dir), { withFileTypes: true })
      .filter(pick)
      .map((entry) => join(dir, entry.name))
  return [
    'README.md',
    ...inDir('docs', (entry) => entry.isFile() && entry.name.endsWith('.md')),
    ...['packages', 'examples'].flatMap((group) =>
      inDir(group, (entry) => entry.isDirectory())
        .map((dir) => join(dir, 'README.md'))
        .filter((path) => ts.sys.fileExists(join(root, path))),
    ),
  ]
}

/** The TypeScript blocks of one markdown text: `{ line, code }` (line is 1-based). */
export function extractBlocks(markdown) {
  const blocks = []
  const lines = markdown.split('\n')
  for (let index = 0; index < lines.length; index++) {
    const open = FENCE.exec(lines[index])
    if (open === null) continue
    const [, indent, fence, language, rest] = open
    const body = []
    let end = index + 1
    while (end < lines.length && !lines[end].trim().startsWith(fence)) {
      body.push(lines[end].startsWith(indent) ? lines[end].slice(indent.length) : lines[end])
      end++
    }
    if (['ts', 'typescript'].includes(language) && !rest.includes('no-check')) {
      blocks.push({ line: index + 1, code: body.join('\n') })
    }
    index = end
  }
  return blocks
}

/** Directories a block's imports may resolve from: every workspace package, then the root. */
const resolutionBases = ['packages', 'examples']
  .flatMap((group) =>
    readdirSync(join(root, group), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(root, group, entry.name)),
  )
  .concat(root)

const options = {
  strict: true,
  target: ts.ScriptTarget.ES2023,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  moduleDetection: ts.ModuleDetectionKind.Force,
  types: ['node'],
  typeRoots: [join(root, 'node_modules', '@types')],
  skipLibCheck: true,
  noEmit: true,
}

/** Named and default imports of relative specifiers, to fake those modules. */
function relativeImports(code) {
  const source = ts.createSourceFile('block.ts', code, ts.ScriptTarget.ES2023)
  const modules = new Map()
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement)) continue
    const specifier = statement.moduleSpecifier.text
    if (!specifier.startsWith('.')) continue
    const names = modules.get(specifier) ?? new Set()
    const bindings = statement.importClause?.namedBindings
    if (bindings !== undefined && ts.isNamedImports(bindings)) {
      for (const element of bindings.elements)
        names.add((element.propertyName ?? element.name).text)
    }
    modules.set(specifier, names)
  }
  return modules
}

function fakeModule(names) {
  const exports = [...names].map((name) => `export declare const ${name}: any`)
  return `${exports.join('\n')}\ndeclare const _default: any\nexport default _default\n`
}

/** Typechecks `files` (virtual path -> code); returns diagnostics per path. */
function compile(files) {
  const fakes = new Map()
  for (const [path, code] of files) {
    for (const [specifier, names] of relativeImports(code)) {
      fakes.set(`${path}::${specifier}`, {
        path: join(BLOCK_DIR, `fake-${fakes.size}.d.ts`),
        code: fakeModule(names),
      })
    }
  }
  const virtual = new Map([...files, ...[...fakes.values()].map((fake) => [fake.path, fake.code])])
  const host = ts.createCompilerHost(options)
  const { getSourceFile, fileExists, readFile } = host
  host.fileExists = (path) => virtual.has(path) || fileExists.call(host, path)
  host.readFile = (path) => virtual.get(path) ?? readFile.call(host, path)
  host.getSourceFile = (path, language, ...rest) =>
    virtual.has(path)
      ? ts.createSourceFile(path, virtual.get(path), language)
      : getSourceFile.call(host, path, language, ...rest)
  host.resolveModuleNameLiterals = (literals, containingFile, redirect, _, containingSource) =>
    literals.map((literal) => {
      const { text } = literal
      if (!containingFile.startsWith(BLOCK_DIR)) {
        const mode = ts.getModeForUsageLocation(containingSource, literal, options)
        return ts.resolveModuleName(text, containingFile, options, host, undefined, redirect, mode)
      }
      const fake = fakes.get(`${containingFile}::${text}`)
      if (fake !== undefined) {
        return { resolvedModule: { resolvedFileName: fake.path, extension: ts.Extension.Dts } }
      }
      for (const base of resolutionBases) {
        const { resolvedModule } = ts.resolveModuleName(
          text,
          join(base, '__doc-block.ts'),
          options,
          host,
          undefined,
          undefined,
          ts.ModuleKind.ESNext,
        )
        if (resolvedModule !== undefined) return { resolvedModule }
      }
      return { resolvedModule: undefined }
    })
  const program = ts.createProgram([...files.keys()], options, host)
  const byFile = new Map([...files.keys()].map((path) => [path, []]))
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    byFile.get(diagnostic.file?.fileName)?.push(diagnostic)
  }
  return byFile
}

/** Name of the unknown identifier a diagnostic complains about, if it is one. */
function unknownName(diagnostic) {
  if (!UNKNOWN_NAME.has(diagnostic.code)) return undefined
  return diagnostic.file.text.slice(diagnostic.start, diagnostic.start + diagnostic.length)
}

/**
 * Every export of the published @stack packages, name -> package, so that a block that
 * uses `createCache` or `redisStore` without importing it is checked against the real API
 * instead of treating the name as the reader's own.
 */
function stackExports() {
  const exports = new Map()
  const packages = readdirSync(join(root, 'packages'))
    .map((dir) => ({
      dir,
      pkg: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')),
    }))
    .filter(({ pkg }) => !pkg.private && pkg.name.startsWith('@stack/'))
    .sort((a, b) => (a.dir === 'core' ? -1 : b.dir === 'core' ? 1 : a.dir.localeCompare(b.dir)))
  const entries = packages.map(({ dir }) => join(root, 'packages', dir, 'dist', 'index.d.ts'))
  const program = ts.createProgram(entries, options)
  const checker = program.getTypeChecker()
  packages.forEach(({ pkg }, index) => {
    const source = program.getSourceFile(entries[index])
    const module = source && checker.getSymbolAtLocation(source)
    if (module === undefined) throw new Error(`${pkg.name}: no dist/index.d.ts; run pnpm build`)
    for (const symbol of checker.getExportsOfModule(module)) {
      if (!exports.has(symbol.name)) exports.set(symbol.name, pkg.name)
    }
  })
  return exports
}

let exportsCache
/** The header that makes a block's undeclared names real: an import, or `any`. */
function header(names) {
  exportsCache ??= stackExports()
  return names
    .map((name) => {
      const from = exportsCache.get(name)
      return from === undefined
        ? `declare const ${name}: any; type ${name} = any;`
        : `import { ${name} } from '${from}';`
    })
    .join(' ')
}

/** Checks the blocks; returns the number of blocks with errors, printing each error. */
export function checkBlocks(blocks, { verbose = false } = {}) {
  const files = new Map(
    blocks.map((block, index) => [join(BLOCK_DIR, `block-${index}.ts`), block.code]),
  )
  // Pass 1 finds the reader's own names; pass 2 declares them and checks the rest.
  const placeholders = new Map()
  for (const [path, diagnostics] of compile(files)) {
    const names = new Set(diagnostics.map(unknownName).filter((name) => name !== undefined))
    placeholders.set(path, names)
  }
  const declared = new Map(
    [...files].map(([path, code]) => {
      return [path, `${header([...placeholders.get(path)])}\n${code}\nexport {}\n`]
    }),
  )
  let failed = 0
  const results = compile(declared)
  blocks.forEach((block, index) => {
    const path = join(BLOCK_DIR, `block-${index}.ts`)
    const diagnostics = results.get(path)
    const names = [...placeholders.get(path)].filter((name) => !exportsCache.has(name))
    if (verbose && names.length > 0)
      console.log(`${block.where}: reader's names: ${names.join(', ')}`)
    if (diagnostics.length === 0) return
    failed++
    for (const diagnostic of diagnostics) {
      const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0)
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')
      // Line 1 of the checked file is the placeholder header.
      console.error(`${block.file}:${block.line + line}: TS${diagnostic.code}: ${message}`)
    }
  })
  return failed
}

function selfTest() {
  const good = {
    file: 'self-test.md',
    line: 1,
    where: 'good',
    code: extractBlocks(
      "```ts\nimport { createCache, memory } from '@stack/core'\nconst cache = createCache({ tiers: [memory()] })\nawait cache.getOrSet(key, () => loadUser(id))\n```",
    )[0].code,
  }
  const bad = {
    file: 'self-test.md',
    line: 1,
    where: 'bad',
    code: "import { createCache, memory } from '@stack/core'\nconst cache = createCache({ tiers: [memory()] })\nawait cache.getOrSett('k', () => 1)\n",
  }
  const badOption = {
    file: 'self-test.md',
    line: 1,
    where: 'bad option',
    code: "import { createCache, memory } from '@stack/core'\ncreateCache({ tiers: [memory({ maxEntriez: 1 })] })\n",
  }
  const report = console.error
  console.error = () => {} // the bad blocks' errors are expected
  const results = [checkBlocks([good]), checkBlocks([bad]), checkBlocks([badOption])]
  console.error = report
  if (results.join() !== '0,1,1') {
    console.error(`doc blocks self-test failed: expected 0,1,1 failing blocks, got ${results}`)
    process.exit(1)
  }
  console.log('doc blocks self-test: a good block passes, a misspelled method and option fail')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--self-test')) {
    selfTest()
  } else {
    const blocks = markdownFiles().flatMap((file) =>
      extractBlocks(readFileSync(join(root, file), 'utf8')).map((block, index) => ({
        ...block,
        file,
        where: `${relative(root, join(root, file))} block ${index + 1} (line ${block.line})`,
      })),
    )
    const failed = checkBlocks(blocks, { verbose: process.argv.includes('--verbose') })
    console.log(
      `doc blocks: ${blocks.length - failed} of ${blocks.length} TypeScript blocks compile`,
    )
    process.exit(failed === 0 ? 0 : 1)
  }
}
