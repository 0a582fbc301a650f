import 'server-only'
import { isAbsolute, relative } from 'node:path'
import { FILTERED, isSensitiveKey, scrubString } from '../shared/scrub.js'

/** A command line is reported, not stored: past these, arguments are cut. */
const MAX_ARGS = 50
const MAX_ARG_CHARS = 500

/** A flag without an inline value: `--name`, `-n`. */
const BARE_FLAG = /^--?([A-Za-z0-9][\w.-]*)$/
/** `--name=value`, and `NAME=value` (an environment-style argument). */
const ASSIGNMENT = /^(-{0,2})([A-Za-z0-9][\w.-]*)=([\s\S]*)$/

/**
 * A script's command line as it may be reported: each argument through the kit's scrubber (URL
 * passwords, bearer tokens, `password=…` pairs, card numbers, private keys), and the value of
 * every flag whose name is sensitive (`--password x`, `--token=x`, `--api-key x`,
 * `--db-password=x`, `PGPASSWORD=x`) replaced by `[Filtered]`, inline or as the next argument. A
 * short flag says nothing about its value (`-p x`), so only its value's own content is scrubbed.
 * Bounded: at most 50 arguments of 500 characters each.
 *
 * @example
 * scrubArgv(['--token=abc', '--password', 'hunter2', 'postgres://u:pw@db/app'])
 * // ['--token=[Filtered]', '--password', '[Filtered]', 'postgres://u:[Filtered]@db/app']
 */
export function scrubArgv(argv: readonly string[]): string[] {
  const out: string[] = []
  let hideNext = false
  for (const arg of argv.slice(0, MAX_ARGS)) {
    if (hideNext && !arg.startsWith('--')) {
      // `--password x`: a sensitive flag's separate value, whatever it looks like.
      hideNext = false
      out.push(FILTERED)
      continue
    }
    const bare = BARE_FLAG.exec(arg)
    hideNext = !!bare && isSensitiveKey(bare[1]!)
    // `--url=…` and `DATABASE_URL=…`: the value is scrubbed on its own, so that a URL's own query
    // (`?token=…`) reads as one, not as the rest of this argument's value.
    const assignment = bare ? null : ASSIGNMENT.exec(arg)
    if (assignment) {
      const [, dashes, key, value] = assignment as unknown as [string, string, string, string]
      out.push(clip(`${dashes}${key}=${isSensitiveKey(key) ? FILTERED : scrubString(value)}`))
    } else {
      out.push(clip(scrubString(arg)))
    }
  }
  if (argv.length > MAX_ARGS) out.push(`…[${argv.length - MAX_ARGS} more arguments]`)
  return out
}

/**
 * The running script's command line without the Node binary and its options: the script's path
 * (relative to the working directory when inside it, so it reads the same on every machine)
 * and its arguments.
 */
export function scriptCommandLine(argv: readonly string[] = process.argv, cwd = process.cwd()): string[] {
  const [, script, ...args] = argv
  if (script === undefined) return []
  const path = isAbsolute(script) && !relative(cwd, script).startsWith('..') ? relative(cwd, script) : script
  return [path, ...args]
}

function clip(s: string): string {
  return s.length > MAX_ARG_CHARS ? `${s.slice(0, MAX_ARG_CHARS)}…[truncated ${s.length - MAX_ARG_CHARS} chars]` : s
}
