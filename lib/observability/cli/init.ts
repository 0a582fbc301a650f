import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { detectProject } from './detect-project.js'
import { installCommand } from './install-command.js'
import { planInit, type PlannedFile } from './plan-init.js'
import { describeFiles, describeProject, describeStops, unifiedDiff } from './report.js'

/** How `init` was asked to run; the terminal parts are injectable so tests drive it directly. */
export interface InitOptions {
  /** The app's root. */
  cwd: string
  /** Answer yes to every question. */
  yes?: boolean
  /** Print a unified diff of every change and write nothing. */
  dryRun?: boolean
  /** Where the report goes (stdout). */
  print: (text: string) => void
  /** Whether a person can answer questions (stdin is a TTY). */
  interactive: boolean
  /** Asks a yes/no question; only called when `interactive`. */
  confirm?: (question: string) => Promise<boolean>
}

/**
 * `nextjs-observability-kit init`: detects the app, computes every change, then (unless a file
 * cannot be edited safely, or this is a dry run) writes them all. Resolves to the exit code:
 * 0 on success or when there is nothing to do, 1 when it stops or is refused.
 *
 * @example
 * process.exitCode = await runInit({ cwd: process.cwd(), yes: true, print: console.log, interactive: false })
 */
export async function runInit(options: InitOptions): Promise<number> {
  const root = resolve(options.cwd)
  const { print } = options
  const detection = detectProject(root)
  if ('problem' in detection) {
    print(`init stopped: ${detection.problem}. Nothing was written.`)
    return 1
  }
  const { project } = detection
  print(`nextjs-observability-kit init in ${root}`)
  print(`Detected: ${describeProject(project)}\n`)

  const plan = planInit(project)
  if (plan.stops.length) {
    print(`init stopped: ${plan.stops.length === 1 ? 'one file' : `${plan.stops.length} files`} cannot be edited safely, so nothing was written.\n`)
    print(describeStops(plan.stops))
    print(`\nDo that, then run init again: it recognises what is already in place.`)
    return 1
  }

  const changes = plan.files.filter((file) => file.action !== 'unchanged')
  const install = project.kitInstalled ? null : installCommand(project.packageManager)
  if (options.dryRun) {
    for (const file of changes) print(unifiedDiff(file))
    print(describeFiles(plan.files, true))
    print(`\nDry run: nothing was written.${install ? ` The app would still need: ${install}` : ''}`)
    return 0
  }
  if (!changes.length) {
    print(describeFiles(plan.files, false))
    print(`\nAlready set up: nothing to change.${install ? `\nNext: ${install}` : ''}`)
    return 0
  }

  const edits = changes.filter((file) => file.action === 'edit')
  if (edits.length && !options.yes) {
    if (!options.interactive || !options.confirm) {
      print(
        `init would edit ${edits.length} existing file${edits.length === 1 ? '' : 's'} (${edits.map((file) => file.path).join(', ')}) and cannot ask you here (no terminal).`,
      )
      print('See the changes with --dry-run, then run again with --yes to apply them.')
      return 1
    }
    for (const file of edits) print(unifiedDiff(file))
    const ok = await options.confirm(`Edit ${edits.map((file) => file.path).join(', ')} as shown above (and create the other files)?`)
    if (!ok) {
      print('Nothing was written.')
      return 1
    }
  }

  const changedSince = changes.filter((file) => file.before !== null && readFileSync(join(root, file.path), 'utf8') !== file.before)
  if (changedSince.length) {
    print(`init stopped: ${changedSince.map((file) => file.path).join(', ')} changed while it ran, so nothing was written. Run it again.`)
    return 1
  }
  for (const file of changes) write(root, file)
  print(describeFiles(plan.files, false))
  const created = changes.length - edits.length
  print(`\nDone: ${created} created, ${edits.length} edited. To undo: restore the edited files and delete the created ones (\`git status\` lists both).`)
  if (install) print(`Next: ${install}`)
  return 0
}

function write(root: string, file: PlannedFile): void {
  const path = join(root, file.path)
  mkdirSync(dirname(path), { recursive: true })
  // A file to create must still be absent: 'wx' fails rather than overwrite one that appeared.
  writeFileSync(path, file.after, { encoding: 'utf8', flag: file.action === 'create' ? 'wx' : 'w' })
}
