// Package READMEs are read on npm and inside node_modules, where relative links break:
// every link in them must be absolute. `node scripts/readme-links.mjs` lists relative
// links (exit 1 if any); `--fix` rewrites them to the repository's GitHub URLs.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPOSITORY = 'https://github.com/stack-cache/stack'
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const LINK = /\]\(([^)\s]+)\)/g

/** READMEs that ship in a package: one per workspace package or example. */
export function packageReadmes() {
  return ['packages', 'examples'].flatMap((group) =>
    readdirSync(join(root, group))
      .map((name) => join(group, name, 'README.md'))
      .filter((path) => existsSync(join(root, path))),
  )
}

function absolute(readme, target) {
  const [path, anchor] = target.split('#')
  const resolved = normalize(join(dirname(readme), path ?? ''))
  const onDisk = join(root, resolved)
  if (!existsSync(onDisk)) throw new Error(`${readme}: link to a missing file: ${target}`)
  const kind = statSync(onDisk).isDirectory() ? 'tree' : 'blob'
  const url = `${REPOSITORY}/${kind}/main/${relative(root, onDisk)}`
  return anchor === undefined ? url : `${url}#${anchor}`
}

const isRelative = (target) => !/^[a-z]+:/i.test(target) && !target.startsWith('#')

if (import.meta.url === `file://${process.argv[1]}`) {
  const fix = process.argv.includes('--fix')
  let found = 0
  for (const readme of packageReadmes()) {
    const text = readFileSync(join(root, readme), 'utf8')
    const fixed = text.replace(LINK, (match, target) => {
      if (!isRelative(target)) return match
      found++
      if (!fix) console.error(`${readme}: relative link ${target}`)
      return `](${absolute(readme, target)})`
    })
    if (fix && fixed !== text) writeFileSync(join(root, readme), fixed)
  }
  if (found > 0 && !fix) {
    console.error(`readme-links: ${found} relative links; run node scripts/readme-links.mjs --fix`)
    process.exit(1)
  }
  console.log(`readme-links: ${fix ? `${found} links made absolute` : 'every link is absolute'}`)
}
