import { createTwoFilesPatch } from 'diff'
import type { Project } from './detect-project.js'
import type { PlannedFile, Stop } from './plan-init.js'

/** One line of facts: what `init` detected, so a wrong guess is visible before anything changes. */
export function describeProject(project: Project): string {
  const next = project.next.version ? `Next ${project.next.version} (${project.next.source})` : `Next (${project.next.source})`
  const cache = project.cacheComponents === null ? 'Cache Components: unknown' : `Cache Components ${project.cacheComponents ? 'on' : 'off'}`
  return [
    next,
    `App Router in ${project.appDir}/`,
    project.typescript ? 'TypeScript' : 'JavaScript',
    project.importAlias ? `alias ${project.importAlias}` : 'no import alias',
    project.nextConfig ?? 'no next.config',
    `${project.convention}.${project.typescript ? 'ts' : 'js'} convention`,
    cache,
    project.packageManager,
  ].join(', ')
}

const VERB = { create: 'created', edit: 'edited', unchanged: 'unchanged' } as const
const DRY_VERB = { create: 'would create', edit: 'would edit', unchanged: 'unchanged' } as const

/** The per-file summary: created / edited / unchanged, with any note. */
export function describeFiles(files: PlannedFile[], dryRun: boolean): string {
  const verbs = dryRun ? DRY_VERB : VERB
  const width = Math.max(...Object.values(verbs).map((verb) => verb.length))
  return files
    .map((file) => {
      const line = `  ${verbs[file.action].padEnd(width)}  ${file.path}`
      return [line, ...file.notes.map((note) => `  ${' '.repeat(width)}    ${note}`)].join('\n')
    })
    .join('\n')
}

/** A unified diff of one change (from /dev/null for a created file). */
export function unifiedDiff(file: PlannedFile): string {
  const patch = createTwoFilesPatch(
    file.before === null ? '/dev/null' : `a/${file.path}`,
    `b/${file.path}`,
    file.before ?? '',
    file.after,
    undefined,
    undefined,
    { context: 3 },
  )
  // The library opens with an `Index:`-style separator line; a git-style diff starts at `---`.
  return patch.slice(patch.indexOf('--- '))
}

/** Why `init` stopped, per file, with the exact lines to add by hand. */
export function describeStops(stops: Stop[]): string {
  return stops
    .map((stop) => {
      const head = `  ${stop.path}: ${stop.reason}.`
      if (!stop.lines) return `${head}\n    ${stop.advice ?? ''}`
      const lines = stop.lines
        .split('\n')
        .map((line) => `      ${line}`)
        .join('\n')
      return `${head}\n    Add by hand:\n${lines}`
    })
    .join('\n\n')
}
