/**
 * What one editor decided for one file. Editors are pure (source in, result out): `init` runs
 * them all before it writes anything, so a single `stop` leaves every file untouched.
 */
export type EditResult =
  | { kind: 'unchanged' }
  | { kind: 'edited'; code: string; notes?: string[] }
  | {
      kind: 'stop'
      /** Why the file cannot be edited safely, in one sentence. */
      reason: string
      /** The exact lines the user adds by hand instead. */
      lines: string
    }

/** A stop, with the lines to add. */
export function stop(reason: string, lines: string): EditResult {
  return { kind: 'stop', reason, lines }
}

/** Parses with `parse`; a syntax error becomes a stop naming the line, never an exception. */
export function parseOrStop<T>(parse: () => T, lines: string): T | Extract<EditResult, { kind: 'stop' }> {
  try {
    return parse()
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
    return { kind: 'stop', reason: `it could not be parsed (${message})`, lines }
  }
}
