import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseFile } from './ast.js'
import type { Project } from './detect-project.js'
import { editGitignore } from './edit-gitignore.js'
import { editInstrumentation } from './edit-instrumentation.js'
import { editInstrumentationClient } from './edit-instrumentation-client.js'
import { editLayout } from './edit-layout.js'
import { editMiddleware } from './edit-middleware.js'
import { editNextConfig } from './edit-next-config.js'
import type { EditResult } from './edit-result.js'
import { localNameOf } from './imports.js'
import { ENTRY, globalErrorFile, instrumentationClientFile, instrumentationFile, middlewareFile, nextConfigFile, ROUTE_FILES, routeFile } from './templates.js'

/** One file `init` creates, edits or leaves as it is. Paths are posix, relative to the root. */
export interface PlannedFile {
  path: string
  action: 'create' | 'edit' | 'unchanged'
  /** The content before (null for a file to create). */
  before: string | null
  after: string
  notes: string[]
}

/** A file `init` cannot edit safely: nothing is written, and the user gets the lines to add (or what to do). */
export interface Stop {
  path: string
  reason: string
  /** The exact lines to add by hand. */
  lines?: string
  /** What to do instead, when there is nothing to paste. */
  advice?: string
}

/** Every change, computed before anything is written. */
export interface Plan {
  files: PlannedFile[]
  stops: Stop[]
}

/**
 * Computes every change `init` would make, writing nothing: one step per file, each with its own
 * editor. A single stop anywhere means nothing is written at all.
 */
export function planInit(project: Project): Plan {
  const plan: Plan = { files: [], stops: [] }
  const { style, typescript } = project
  const ext = typescript ? 'ts' : 'js'
  const inCode = (name: string) => (project.codeDir ? `${project.codeDir}/${name}` : name)
  const read = (path: string) => readFileSync(join(project.root, path), 'utf8')
  const existing = (names: string[]) => names.find((name) => existsSync(join(project.root, name))) ?? null

  const editOrStop = (path: string, result: EditResult) => {
    const before = read(path)
    if (result.kind === 'stop') plan.stops.push({ path, reason: result.reason, lines: result.lines })
    else if (result.kind === 'unchanged') plan.files.push({ path, action: 'unchanged', before, after: before, notes: [] })
    else plan.files.push({ path, action: 'edit', before, after: result.code, notes: result.notes ?? [] })
  }
  const create = (path: string, content: string, notes: string[] = []) => plan.files.push({ path, action: 'create', before: null, after: content, notes })

  // next.config.*
  if (project.nextConfig) editOrStop(project.nextConfig, editNextConfig(read(project.nextConfig), style))
  else create(typescript ? 'next.config.ts' : 'next.config.mjs', nextConfigFile(style, typescript))

  // middleware.ts / proxy.ts: on Next 16 an existing middleware.ts is composed in place, never renamed.
  const proxy = existing([inCode('proxy.ts'), inCode('proxy.js')])
  const middleware = existing([inCode('middleware.ts'), inCode('middleware.js')])
  if (project.convention === 'proxy' && proxy && middleware) {
    plan.stops.push({
      path: proxy,
      reason: `both ${proxy} and ${middleware} exist, and Next 16 builds with only one`,
      advice: `Keep one of them (Next 16 reads proxy.ts), then run init again.`,
    })
  } else if (project.convention === 'proxy' && proxy) {
    editOrStop(proxy, editMiddleware(read(proxy), 'proxy', style))
  } else if (middleware) {
    editOrStop(middleware, editMiddleware(read(middleware), 'middleware', style))
  } else {
    create(inCode(`${project.convention}.${ext}`), middlewareFile(style, project.convention))
  }

  // instrumentation.ts, instrumentation-client.ts
  const instrumentation = existing([inCode('instrumentation.ts'), inCode('instrumentation.js')])
  if (instrumentation) editOrStop(instrumentation, editInstrumentation(read(instrumentation), instrumentation.endsWith('.ts'), style))
  else create(inCode(`instrumentation.${ext}`), instrumentationFile(style))
  const client = existing([inCode('instrumentation-client.ts'), inCode('instrumentation-client.js')])
  if (client) editOrStop(client, editInstrumentationClient(read(client), style))
  else create(inCode(`instrumentation-client.${ext}`), instrumentationClientFile(style))

  // Root layout.
  editOrStop(project.layout, editLayout(read(project.layout), style))

  // global-error: created only when absent; an existing one is the app's, and only advised.
  const globalError = existing(['tsx', 'jsx', 'js', 'ts'].map((e) => `${project.appDir}/global-error.${e}`))
  if (globalError) {
    const source = read(globalError)
    const reports = (() => {
      try {
        return localNameOf(parseFile(source).program, ENTRY.client, 'useCaptureBoundaryError') !== null
      } catch {
        return false
      }
    })()
    plan.files.push({
      path: globalError,
      action: 'unchanged',
      before: source,
      after: source,
      notes: reports ? [] : [`kept as it is: add \`useCaptureBoundaryError(error)\` from '${ENTRY.client}' to report what it catches`],
    })
  } else {
    const layoutExt = project.layout.slice(project.layout.lastIndexOf('.') + 1)
    const componentExt = typescript ? 'tsx' : layoutExt === 'js' ? 'js' : 'jsx'
    create(`${project.appDir}/global-error.${componentExt}`, globalErrorFile(style, typescript))
  }

  // The kit's route files.
  const conflict = observabilityConflict(project)
  if (conflict) {
    plan.stops.push({
      path: conflict,
      reason: "the app already has an /observability route or page, where the kit serves local mode's timeline",
      advice: 'Move or rename it, then run init again.',
    })
  }
  for (const route of ROUTE_FILES) {
    const dir = `${project.appDir}/${route.dir}`
    const found = existing(['ts', 'js', 'tsx', 'jsx'].map((e) => `${dir}/route.${e}`))
    if (!found) {
      create(`${dir}/route.${ext}`, routeFile(style, route))
      continue
    }
    const source = read(found)
    if (isOurRouteFile(source, route)) plan.files.push({ path: found, action: 'unchanged', before: source, after: source, notes: [] })
    else
      plan.stops.push({
        path: found,
        reason: 'it exists with content of its own, and init never overwrites a file',
        advice: `Move it, or make it the kit's one line: ${routeFile(style, route).trimEnd()}`,
      })
  }

  // .gitignore
  const gitignore = existsSync(join(project.root, '.gitignore')) ? read('.gitignore') : null
  const ignored = editGitignore(gitignore)
  if (ignored.kind === 'edited') {
    plan.files.push({ path: '.gitignore', action: gitignore === null ? 'create' : 'edit', before: gitignore, after: ignored.code, notes: [] })
  } else if (gitignore !== null) {
    plan.files.push({ path: '.gitignore', action: 'unchanged', before: gitignore, after: gitignore, notes: [] })
  }
  return plan
}

/**
 * Whether a route file is exactly our one re-export, whatever its formatting (quotes, semicolons,
 * specifier order): then a second run leaves it alone.
 */
function isOurRouteFile(source: string, route: { module: string; methods: readonly string[] }): boolean {
  let program
  try {
    program = parseFile(source).program
  } catch {
    return false
  }
  const [statement, ...rest] = program.body
  if (rest.length || statement?.type !== 'ExportNamedDeclaration' || statement.source?.value !== route.module) return false
  const names = statement.specifiers.map((s) =>
    s.type === 'ExportSpecifier' && s.local.type === 'Identifier' && s.exported.type === 'Identifier' && s.local.name === s.exported.name ? s.local.name : '?',
  )
  return names.length === route.methods.length && route.methods.every((method) => names.includes(method))
}

/**
 * A page or route the app already serves at `/observability` (route groups `(x)` and slots `@x`
 * do not count as path segments), other than our own route file; or a Pages Router page there.
 */
function observabilityConflict(project: Project): string | null {
  const ours = ROUTE_FILES.find((route) => route.dir === 'observability')!
  const visit = (dir: string, segments: string[], depth: number): string | null => {
    if (depth > 6 || segments.length > 1) return null
    let entries
    try {
      entries = readdirSync(join(project.root, dir), { withFileTypes: true })
    } catch {
      return null
    }
    for (const entry of entries) {
      const path = `${dir}/${entry.name}`
      if (entry.isDirectory()) {
        if (entry.name === 'node_modules' || entry.name.startsWith('_')) continue
        const invisible = entry.name.startsWith('(') || entry.name.startsWith('@')
        const found = visit(path, invisible ? segments : [...segments, entry.name], depth + 1)
        if (found) return found
      } else if (segments.length === 1 && segments[0] === 'observability' && /^(page|route)\.(t|j)sx?$/.test(entry.name)) {
        if (entry.name.startsWith('route.') && isOurRouteFile(readFileSync(join(project.root, path), 'utf8'), ours)) continue
        return path
      }
    }
    return null
  }
  const inApp = visit(project.appDir, [], 0)
  if (inApp) return inApp
  for (const pages of ['pages', 'src/pages']) {
    for (const name of [
      'observability.tsx',
      'observability.jsx',
      'observability.ts',
      'observability.js',
      'observability/index.tsx',
      'observability/index.jsx',
      'observability/index.ts',
      'observability/index.js',
    ]) {
      if (existsSync(join(project.root, pages, name))) return `${pages}/${name}`
    }
  }
  return null
}
