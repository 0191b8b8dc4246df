// Compiles a consumer of the built packages under the settings we promise to support,
// with skipLibCheck off so every published .d.ts is checked:
// - ESM (module/moduleResolution nodenext) WITHOUT @types/node: core's types must be
//   self-contained (lib DOM, or @types/node, supplies the standard AbortSignal);
// - CommonJS with moduleResolution node10 and no esModuleInterop: `@stack/core/store-kit`
//   must resolve (typesVersions) and `@stack/pg`'s types must compile (postgres.js' own
//   types need @types/node there).
// Run after `pnpm build`. Exit 1 on any compiler error.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
const dir = mkdtempSync(join(tmpdir(), 'stack-consumer-'))

const esm = `import { createCache, memory, TRACING_CHANNELS, type CacheStats } from '@stack/core'
import { withDeadline } from '@stack/core/store-kit'
const cache = createCache({ tiers: [memory()] })
await cache.getOrSet('k', async ({ signal }) => (signal.aborted ? 1 : 2))
export const stats: CacheStats = cache.stats()
export { TRACING_CHANNELS, withDeadline }
`
const cjs = `import { createCache, memory } from '@stack/core'
import { assertKey } from '@stack/core/store-kit'
import { pgStore, type PostgresClient } from '@stack/pg'
export const cache = createCache({ tiers: [memory()] })
export { assertKey, pgStore }
export type { PostgresClient }
`
const common = { strict: true, skipLibCheck: false, noEmit: true, lib: ['ES2023', 'DOM'] }
const settings = {
  'esm-without-types-node': {
    file: 'esm.ts',
    source: esm,
    packageType: 'module',
    options: {
      ...common,
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2023',
      types: [],
    },
  },
  'cjs-node10-no-esModuleInterop': {
    file: 'cjs.ts',
    source: cjs,
    packageType: 'commonjs',
    options: {
      ...common,
      module: 'commonjs',
      moduleResolution: 'node10',
      target: 'es2022',
      esModuleInterop: false,
      types: ['node'],
      typeRoots: [join(root, 'node_modules', '@types')],
    },
  },
}

let failed = 0
try {
  for (const [name, { file, source, packageType, options }] of Object.entries(settings)) {
    const project = join(dir, name)
    mkdirSync(join(project, 'node_modules', '@stack'), { recursive: true })
    for (const pkg of ['core', 'pg']) {
      symlinkSync(join(root, 'packages', pkg), join(project, 'node_modules', '@stack', pkg))
    }
    writeFileSync(join(project, 'package.json'), JSON.stringify({ type: packageType }))
    writeFileSync(join(project, file), source)
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: options, files: [file] }),
    )
    try {
      execFileSync(process.execPath, [tsc, '-p', join(project, 'tsconfig.json')], {
        stdio: 'pipe',
      })
      console.log(`consumer types: ${name}: ok`)
    } catch (error) {
      failed++
      console.error(`consumer types: ${name}: FAILED\n${error.stdout}`)
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
process.exit(failed === 0 ? 0 : 1)
