// Builds the package into dist/: ESM and type declarations, one file per source file, so every
// 'use client' leaf and every `import 'server-only'` stays where it was written. The posthog-node
// worker is plain JavaScript and is copied as it is. `--if-stale` skips a build newer than every
// source (the demo, its tests and benchmarks build the package this way before they start).
import { spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const dist = join(here, 'dist')
const stamp = join(dist, '.built')

if (process.argv.includes('--if-stale') && !stale()) process.exit(0)

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
rmSync(dist, { recursive: true, force: true })
const result = spawnSync(process.execPath, [tsc, '-p', join(here, 'tsconfig.json')], { stdio: 'inherit' })
if (result.status !== 0) process.exit(result.status ?? 1)
copyFileSync(join(here, 'server/posthog-worker.mjs'), join(dist, 'server/posthog-worker.mjs'))
chmodSync(join(dist, 'cli/bin.js'), 0o755)
writeFileSync(stamp, new Date().toISOString())

/** True when dist/ is missing or older than any source file or config of the package. */
function stale() {
  let built
  try {
    built = statSync(stamp).mtimeMs
  } catch {
    return true
  }
  const newer = (dir) =>
    readdirSync(dir, { withFileTypes: true }).some((entry) => {
      if (entry.name === 'dist' || entry.name === 'node_modules') return false
      const path = join(dir, entry.name)
      return entry.isDirectory() ? newer(path) : statSync(path).mtimeMs > built
    })
  return newer(here)
}
