import { execFileSync } from 'node:child_process'
import type { TestProject } from 'vitest/node'
import { ROOT } from '../../support/next-server'
import { clearResults, resultsTable } from './results'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absolute path of the kit's tarball, packed once for the whole run. */
    adoptTarball: string
  }
}

/**
 * Packs the kit once (`npm run pack` builds it first when its sources changed) and hands the
 * tarball's path to every cell; prints the table of cells × checks when the run ends.
 */
export default function setup(project: TestProject): () => void {
  clearResults()
  const printed = execFileSync('npm', ['run', '-s', 'pack'], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n')
  const tarball = printed[printed.length - 1]!
  if (!tarball.endsWith('.tgz')) throw new Error(`npm run pack did not end with a tarball path:\n${printed.join('\n')}`)
  project.provide('adoptTarball', tarball)
  return () => {
    const table = resultsTable()
    if (table) console.log(table)
  }
}
