import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ADOPT_DIR } from './generate-app'

/** The checks every cell runs, in the table's column order. */
export const CHECKS = ['init', 'init again', 'build', 'request id', 'api_request', 'own middleware', 'worker', 'browser', 'error once', 'no keys'] as const
export type CheckName = (typeof CHECKS)[number]
type Outcome = 'pass' | 'FAIL' | 'n/a' | 'not run'

const RESULTS_DIR = join(ADOPT_DIR, 'results')

/** Each cell's outcomes and timings, written as it goes, for the table printed at the end of the run. */
export class CellResults {
  private readonly checks: Partial<Record<CheckName, Outcome>> = {}
  private readonly times: Record<string, number> = {}
  private readonly started = performance.now()
  private readonly notes: string[] = []

  constructor(private readonly cell: string) {}

  record(check: CheckName, outcome: Outcome): void {
    this.checks[check] = outcome
    this.write()
  }

  time(step: string, ms: number): void {
    this.times[step] = Math.round(ms)
    this.write()
  }

  note(text: string): void {
    this.notes.push(text)
    this.write()
  }

  write(): void {
    mkdirSync(RESULTS_DIR, { recursive: true })
    const body = { cell: this.cell, checks: this.checks, times: { ...this.times, total: Math.round(performance.now() - this.started) }, notes: this.notes }
    writeFileSync(join(RESULTS_DIR, `${this.cell}.json`), JSON.stringify(body, null, 2))
  }
}

/** Forgets the previous run's results. */
export function clearResults(): void {
  mkdirSync(RESULTS_DIR, { recursive: true })
  for (const name of readdirSync(RESULTS_DIR)) writeFileSync(join(RESULTS_DIR, name), '')
}

/** Cells × checks, then each cell's wall time by step. */
export function resultsTable(): string {
  if (!existsSync(RESULTS_DIR)) return ''
  const rows = readdirSync(RESULTS_DIR)
    .map((name) => readFileSync(join(RESULTS_DIR, name), 'utf8'))
    .filter(Boolean)
    .map((text) => JSON.parse(text) as { cell: string; checks: Partial<Record<CheckName, Outcome>>; times: Record<string, number>; notes: string[] })
  if (!rows.length) return ''
  const width = Math.max(...rows.map((r) => r.cell.length), 4)
  const header = `${'cell'.padEnd(width)} | ${CHECKS.join(' | ')}`
  const lines = rows.map((r) => `${r.cell.padEnd(width)} | ${CHECKS.map((c) => (r.checks[c] ?? 'not run').padEnd(c.length)).join(' | ')}`)
  const seconds = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(0)} s`)
  const times = rows.map(
    (r) =>
      `  ${r.cell}: ${Object.entries(r.times)
        .map(([step, ms]) => `${step} ${seconds(ms)}`)
        .join(', ')}`,
  )
  const notes = rows.flatMap((r) => r.notes.map((n) => `  ${r.cell}: ${n}`))
  return [
    '',
    'Adoption suite',
    header,
    '-'.repeat(header.length),
    ...lines,
    '',
    'Wall time per cell:',
    ...times,
    ...(notes.length ? ['', 'Notes:', ...notes] : []),
  ].join('\n')
}
