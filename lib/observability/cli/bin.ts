#!/usr/bin/env node
import { createInterface } from 'node:readline/promises'
import { parseArgs } from 'node:util'
import { runInit } from './init.js'

/**
 * The package's one bin: `npx nextjs-observability-kit init [--yes] [--dry-run] [--cwd <dir>]`.
 * Parses argv and hands over to `runInit`; the exit code says whether the app was wired.
 */

const USAGE = `Usage: nextjs-observability-kit init [options]

Wires the observability kit into the Next.js App Router app in the current directory.

Options:
  --dry-run     print a unified diff of every change, write nothing
  -y, --yes     do not ask before editing existing files
  --cwd <dir>   the app's root (default: the current directory)
  -h, --help    show this help`

async function main(argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        yes: { type: 'boolean', short: 'y' },
        'dry-run': { type: 'boolean' },
        cwd: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`)
    return 1
  }
  const { values, positionals } = parsed
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  if (positionals.length !== 1 || positionals[0] !== 'init') {
    console.error(USAGE)
    return 1
  }
  const interactive = process.stdin.isTTY === true
  return runInit({
    cwd: values.cwd ?? process.cwd(),
    yes: values.yes,
    dryRun: values['dry-run'],
    print: (text) => console.log(text),
    interactive,
    confirm: interactive ? ask : undefined,
  })
}

async function ask(question: string): Promise<boolean> {
  const readline = createInterface({ input: process.stdin, output: process.stdout })
  try {
    const answer = await readline.question(`${question} [y/N] `)
    return /^y(es)?$/i.test(answer.trim())
  } finally {
    readline.close()
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error))
    process.exitCode = 1
  },
)
