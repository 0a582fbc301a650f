import type { EditResult } from './edit-result.js'

/** Local mode's event store, which never belongs in git. */
const ENTRY = '.observability/'
const EQUIVALENT = new Set(['.observability', '.observability/', '/.observability', '/.observability/', '.observability/*', '/.observability/*'])

/**
 * Adds `.observability/` to `.gitignore` (not source code: read line by line). `null` for a
 * missing file gives the content of a new one.
 */
export function editGitignore(source: string | null): EditResult {
  const block = `# nextjs-observability-kit: local mode's event store\n${ENTRY}\n`
  if (source === null) return { kind: 'edited', code: block }
  const lines = source.split(/\r?\n/).map((line) => line.trim())
  if (lines.some((line) => EQUIVALENT.has(line))) return { kind: 'unchanged' }
  const separator = source === '' ? '' : source.endsWith('\n') ? '\n' : '\n\n'
  return { kind: 'edited', code: `${source}${separator}${block}` }
}
