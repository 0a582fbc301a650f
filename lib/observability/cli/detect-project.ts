import { existsSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import semver from 'semver'
import { parseFile } from './ast.js'
import { DEFAULT_STYLE, detectCodeStyle, type CodeStyle } from './code-style.js'
import { inspectNextConfig } from './inspect-next-config.js'
import { PACKAGE_NAME } from './imports.js'
import { detectPackageManager, type PackageManager } from './install-command.js'
import { readJsonc } from './read-jsonc.js'

/** The oldest Next the kit wires: `instrumentation-client.ts` arrived in 15.3. */
export const MINIMUM_NEXT = '15.3.0'

/** What `init` learns from the app itself before it plans a single change. */
export interface Project {
  root: string
  /** `app` or `src/app` (posix, relative to the root). */
  appDir: string
  /** Where `middleware`/`proxy` and `instrumentation*` live: `''` or `src`. */
  codeDir: string
  typescript: boolean
  /** e.g. `@/*`, from `compilerOptions.paths`; reported only (generated code imports the package by name). */
  importAlias: string | null
  /** e.g. `next.config.ts`, or null when the app has none. */
  nextConfig: string | null
  next: { version: string | null; major: number; source: 'installed' | 'package.json' | 'assumed latest' }
  /** The file Next reads request-time logic from: `proxy` on 16+, `middleware` on 15. */
  convention: 'proxy' | 'middleware'
  /** null when the config is not a literal we can read. */
  cacheComponents: boolean | null
  /** Other wrappers around the Next config (e.g. `withSentryConfig`). */
  configWrappers: string[]
  packageManager: PackageManager
  kitInstalled: boolean
  /** The root layout, relative to the root. */
  layout: string
  /** The app's code style, read from its root layout; created files use it. */
  style: CodeStyle
}

/** A project, or the reason `init` cannot wire this directory. */
export type Detection = { project: Project } | { problem: string }

const NEXT_CONFIGS = ['next.config.ts', 'next.config.mts', 'next.config.mjs', 'next.config.js', 'next.config.cjs']
const LAYOUTS = ['layout.tsx', 'layout.jsx', 'layout.js', 'layout.ts']

/**
 * Detects everything from the project itself, as shadcn's `init` does: App Router folder, `src/`,
 * TypeScript, alias, Next config, Next's version (installed, else the range in package.json),
 * Cache Components, package manager.
 */
export function detectProject(root: string): Detection {
  const packageJson = readJson(join(root, 'package.json'))
  if (!packageJson) return { problem: `no package.json in ${root}: run init in your Next.js app's root (or pass --cwd <dir>)` }
  const dependencies = { ...asRecord(packageJson.devDependencies), ...asRecord(packageJson.dependencies) }

  const next = nextVersion(root, dependencies.next)
  if (!next) return { problem: 'next is neither installed nor listed in package.json: init wires a Next.js app' }
  if (next.version && semver.lt(next.version, MINIMUM_NEXT)) {
    return { problem: `this app uses Next ${next.version}; the kit needs Next ${MINIMUM_NEXT} or later (instrumentation-client.ts)` }
  }

  const appDir = isDirectory(join(root, 'app')) ? 'app' : isDirectory(join(root, 'src', 'app')) ? 'src/app' : null
  if (!appDir) {
    const pagesOnly = isDirectory(join(root, 'pages')) || isDirectory(join(root, 'src', 'pages'))
    return {
      problem: pagesOnly
        ? 'this app uses the Pages Router only: the kit wires the App Router (app/ or src/app/); add an app/ directory with a root layout first'
        : 'no app/ or src/app/ directory: init wires a Next.js App Router app',
    }
  }
  const layoutName = LAYOUTS.find((name) => existsSync(join(root, appDir, name)))
  if (!layoutName) return { problem: `no root layout in ${appDir}/ (layout.tsx or layout.jsx): the App Router needs one` }
  const layout = `${appDir}/${layoutName}`

  const tsconfig = readJsoncFile(join(root, 'tsconfig.json'))
  const jsconfig = tsconfig ? null : readJsoncFile(join(root, 'jsconfig.json'))
  const typescript = tsconfig ? true : jsconfig ? false : layoutName.startsWith('layout.ts')
  const nextConfig = NEXT_CONFIGS.find((name) => existsSync(join(root, name))) ?? null
  const facts = nextConfig ? inspectNextConfig(readFileSync(join(root, nextConfig), 'utf8')) : { cacheComponents: false, wrappers: [] }

  return {
    project: {
      root,
      appDir,
      codeDir: appDir === 'src/app' ? 'src' : '',
      typescript,
      importAlias: importAlias(tsconfig ?? jsconfig),
      nextConfig,
      next,
      convention: next.major >= 16 ? 'proxy' : 'middleware',
      cacheComponents: facts.cacheComponents,
      configWrappers: facts.wrappers,
      packageManager: detectPackageManager(root, packageJson.packageManager),
      kitInstalled: PACKAGE_NAME in dependencies,
      layout,
      style: layoutStyle(join(root, layout)),
    },
  }
}

/** Next's version: the installed one, else the lowest the package.json range allows. */
function nextVersion(root: string, range: unknown): Project['next'] | null {
  const installed = installedVersion(root)
  if (installed) return { version: installed.version, major: installed.major, source: 'installed' }
  if (typeof range !== 'string') return null
  const lowest = (() => {
    try {
      return semver.minVersion(range)
    } catch {
      return null
    }
  })()
  // `latest`, `canary`, a git URL: nothing to read; Next 16 is what such a range installs today.
  if (!lowest) return { version: null, major: 16, source: 'assumed latest' }
  return { version: lowest.version, major: lowest.major, source: 'package.json' }
}

function installedVersion(root: string): semver.SemVer | null {
  let file: string
  try {
    file = createRequire(join(root, 'package.json')).resolve('next/package.json')
  } catch {
    file = join(root, 'node_modules', 'next', 'package.json')
  }
  const version = readJson(file)?.version
  return typeof version === 'string' ? semver.parse(version) : null
}

function importAlias(config: unknown): string | null {
  const paths = asRecord(asRecord(asRecord(config).compilerOptions).paths)
  const entries = Object.entries(paths)
  const toRoot = entries.find(([, targets]) => Array.isArray(targets) && targets.some((target) => target === './*' || target === './src/*'))
  return (toRoot ?? entries[0])?.[0] ?? null
}

function layoutStyle(file: string): CodeStyle {
  try {
    return detectCodeStyle(parseFile(readFileSync(file, 'utf8')))
  } catch {
    return DEFAULT_STYLE
  }
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    return asRecord(JSON.parse(readFileSync(file, 'utf8')))
  } catch {
    return null
  }
}

function readJsoncFile(file: string): Record<string, unknown> | null {
  if (!existsSync(file)) return null
  return asRecord(readJsonc(readFileSync(file, 'utf8')) ?? {})
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
