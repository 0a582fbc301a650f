import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join, relative } from 'node:path'
import { type Cell, ownMiddlewareSource, throwingPageSource, TRACKED_ROUTE_SOURCE } from './cells'
import { machineEnv, mustRun, runCommand } from './run'

/**
 * Where the generated apps live: outside this repository (`ADOPT_DIR` to move it). Inside it,
 * an app would not be the standalone project its owner has: Next takes the outermost lockfile's
 * folder as the workspace root (this repository's, for tracing and `standalone`), and Node would
 * resolve any package the app lacks from this repository's node_modules.
 */
export const ADOPT_DIR = process.env.ADOPT_DIR || join(tmpdir(), 'nextjs-observability-kit-adopt')

export interface PristineApp {
  readonly dir: string
  /** True when a cached app (same version and flags) was reset to its first commit instead of generated. */
  readonly reused: boolean
  readonly ms: number
}

/**
 * The app as `create-next-app` wrote it, its dependencies installed. Generated once per pinned
 * version and flags and committed to a git repository of its own; a later local run resets the
 * sources to that commit (`git checkout`, `git clean`, only the app's `node_modules` kept) and checks that
 * nothing else is left, so every run starts from a pristine copy. Under `CI` it is generated
 * from scratch every time.
 */
export async function pristineApp(cell: Cell): Promise<PristineApp> {
  const started = performance.now()
  const dir = join(ADOPT_DIR, cell.id)
  const keyFile = join(ADOPT_DIR, `${cell.id}.key`)
  const key = JSON.stringify({ createNextApp: cell.createNextApp, flags: cell.flags, node: process.version })
  const cached =
    !process.env.CI &&
    existsSync(keyFile) &&
    readFileSync(keyFile, 'utf8') === key &&
    existsSync(join(dir, '.git')) &&
    existsSync(join(dir, 'node_modules/next/package.json'))
  if (cached && (await resetToPristine(dir))) return { dir, reused: true, ms: performance.now() - started }

  rmSync(dir, { recursive: true, force: true })
  rmSync(keyFile, { force: true })
  mkdirSync(ADOPT_DIR, { recursive: true })
  await mustRun('npx', ['--yes', `create-next-app@${cell.createNextApp}`, cell.id, ...cell.flags], ADOPT_DIR, { timeoutMs: 300_000 })
  await mustRun('npm', ['install', '--no-audit', '--no-fund'], dir, { timeoutMs: 600_000 })
  await git(dir, 'init', '-q')
  await git(dir, 'add', '-A')
  await git(dir, 'commit', '-qm', `create-next-app@${cell.createNextApp} ${cell.flags.join(' ')}`)
  writeFileSync(keyFile, key)
  return { dir, reused: false, ms: performance.now() - started }
}

/** Back to the first commit: edits undone, created files and build output gone. False when that failed. */
async function resetToPristine(dir: string): Promise<boolean> {
  try {
    await git(dir, 'checkout', '-q', '--', '.')
    // `/node_modules`, the app's own only: a build leaves others (.next/standalone/node_modules…).
    await git(dir, 'clean', '-fdxq', '-e', '/node_modules')
    const status = await git(dir, 'status', '--porcelain', '--ignored')
    // Only node_modules may remain outside the commit.
    return status.output.split('\n').filter((line) => line.trim() && line.trim() !== '!! node_modules/').length === 0
  } catch {
    return false
  }
}

function git(dir: string, ...args: string[]) {
  return mustRun('git', ['-c', 'user.name=adopt', '-c', 'user.email=adopt@localhost', '-c', 'commit.gpgsign=false', ...args], dir)
}

/**
 * The app as its owner had it before adopting the kit: fonts that need no network, and the
 * cell's own config (`basePath`, `output`) and middleware. Test set-up, not part of `init`.
 */
export function applyOwnersSetup(dir: string, cell: Cell): void {
  const layout = join(dir, cell.appDir, cell.language === 'ts' ? 'layout.tsx' : 'layout.js')
  writeFileSync(layout, withoutGoogleFonts(readFileSync(layout, 'utf8')))
  if (cell.basePath || cell.standalone) {
    const path = join(dir, cell.nextConfig)
    const source = readFileSync(path, 'utf8')
    const own = [cell.basePath && `basePath: "${cell.basePath}",`, cell.standalone && `output: "standalone",`].filter(Boolean).join('\n  ')
    if (!source.includes('/* config options here */')) throw new Error(`${cell.nextConfig} no longer has the template's placeholder:\n${source}`)
    writeFileSync(path, source.replace('/* config options here */', own))
  }
  if (cell.ownMiddleware) {
    const kind = basename(cell.ownMiddleware).startsWith('proxy') ? 'proxy' : 'middleware'
    writeFileSync(join(dir, cell.ownMiddleware), ownMiddlewareSource(kind))
  }
}

/**
 * The template's layout loads Geist from Google Fonts at build time, and this machine reaches
 * the npm registry only: the fonts go, and the template's own CSS falls back to system fonts.
 */
export function withoutGoogleFonts(layout: string): string {
  const out = layout
    .replace(/^import \{[^}]*\} from ["']next\/font\/google["'];?\n/m, '')
    .replace(/^const \w+ = Geist(?:_Mono)?\(\{[\s\S]*?\}\);?\n\n?/gm, '')
    .replace(/\$\{geist(?:Sans|Mono)\.variable\} ?/g, '')
  if (/next\/font|geist(?:Sans|Mono)/.test(out)) throw new Error(`the layout still uses Google Fonts after the edit:\n${out}`)
  return out
}

/** The files the suite adds once the kit is in: a tracked route and a page that throws while rendering. */
export function addProbeFiles(dir: string, cell: Cell): void {
  const ext = cell.language
  write(join(dir, cell.appDir, 'api/adopt', `route.${ext}`), TRACKED_ROUTE_SOURCE)
  write(join(dir, cell.appDir, 'adopt-throw', `page.${ext}x`), throwingPageSource(cell.detected.includes('Cache Components on')))
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, text)
}

/** `npm install <tarball>`, as a user installs the package. */
export async function installKit(dir: string, tarball: string): Promise<number> {
  return (await mustRun('npm', ['install', '--no-audit', '--no-fund', tarball], dir, { timeoutMs: 600_000 })).ms
}

/** `npx nextjs-observability-kit init --yes` in the app, as the docs say (the local bin, never a download). */
export function runInit(dir: string) {
  return runCommand('npx', ['--no', 'nextjs-observability-kit', 'init', '--yes'], dir, { env: machineEnv(), timeoutMs: 120_000 })
}

/** A hash of every file of the app (path and content), outside node_modules, .git and build output. */
export function hashTree(dir: string): { hash: string; files: Map<string, string> } {
  const files = new Map<string, string>()
  const visit = (path: string) => {
    for (const name of readdirSync(path).sort()) {
      if (name === 'node_modules' || name === '.git' || name === '.next') continue
      const full = join(path, name)
      if (statSync(full).isDirectory()) visit(full)
      else files.set(relative(dir, full), createHash('sha256').update(readFileSync(full)).digest('hex'))
    }
  }
  visit(dir)
  const hash = createHash('sha256')
  for (const [path, digest] of files) hash.update(`${path}\0${digest}\n`)
  return { hash: hash.digest('hex'), files }
}
