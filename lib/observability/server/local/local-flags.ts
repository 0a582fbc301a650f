import 'server-only'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { FlagValue } from './ingest/index.js'

/** Flag values for local mode, at the project root: `{"demo-flag": true, "pricing": "variant-b"}`. */
export const LOCAL_FLAGS_FILE = 'observability.flags.json'

let cached: { key: string; flags: Readonly<Record<string, FlagValue>> } | undefined

/**
 * The flags local mode's `/flags` answers with, read from `observability.flags.json` in the
 * server's working directory. Reread when the file changes, so a developer flips a flag without
 * a restart. No file: no flags. A malformed file: one warning per version of the file, and no
 * flags, never an error for the app. Values are `true`/`false` or a variant name.
 *
 * @example
 * await readLocalFlags() // { 'demo-flag': true }
 */
export async function readLocalFlags(cwd = process.cwd()): Promise<Readonly<Record<string, FlagValue>>> {
  const file = join(cwd, LOCAL_FLAGS_FILE)
  let key: string
  try {
    const s = await stat(file)
    key = `${file}:${s.mtimeMs}:${s.size}`
  } catch {
    return {}
  }
  if (cached?.key === key) return cached.flags
  let flags: Record<string, FlagValue> = {}
  try {
    flags = parseFlags(await readFile(file, 'utf8'))
  } catch (error) {
    console.warn(`[observability] ${LOCAL_FLAGS_FILE} is ignored: ${(error as Error).message}. Expected an object like {"demo-flag": true}.`)
    flags = {}
  }
  cached = { key, flags: Object.freeze(flags) }
  return cached.flags
}

function parseFlags(text: string): Record<string, FlagValue> {
  const value: unknown = JSON.parse(text)
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('it is not a JSON object')
  const flags: Record<string, FlagValue> = {}
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'boolean' && typeof v !== 'string') throw new Error(`"${key.slice(0, 60)}" is neither true/false nor a variant name`)
    flags[key] = v
  }
  return flags
}
