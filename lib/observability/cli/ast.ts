import type * as t from '@babel/types'
import { generateCode, parseModule, type ProxifiedModule } from 'magicast'

/**
 * A parsed source file: magicast (recast underneath) keeps the original text of every node we do
 * not touch, so an edit changes only the lines it must and the user's formatting survives.
 */
export interface ParsedFile {
  mod: ProxifiedModule
  program: t.Program
  source: string
  /**
   * The offset in `source` of an offset the parser reports. Recast parses a copy of the source
   * whose indentation tabs are expanded to spaces (and line breaks made `\n`), so node positions
   * only match `source` when it has neither.
   */
  at: (offset: number) => number
}

/** Parses JS/TS/JSX/TSX source; throws the parser's error (with line and column) on bad syntax. */
export function parseFile(source: string): ParsedFile {
  const mod = parseModule(source)
  const program = mod.$ast as t.Program
  return { mod, program, source, at: offsetMap(source, program) }
}

/** Where a node starts in the file's own text. */
export function startOf(file: ParsedFile, node: { start?: number | null }): number {
  return file.at(node.start!)
}

/** Where a node ends in the file's own text. */
export function endOf(file: ParsedFile, node: { end?: number | null }): number {
  return file.at(node.end!)
}

const LINE_BREAK = /\r\n|\r(?!\n)|\n|\u2028|\u2029/g

function offsetMap(source: string, program: t.Program): (offset: number) => number {
  const identity = (offset: number) => offset
  if (!/[\t\r\u2028\u2029\ufeff\u00a0\v\f]/.test(source)) return identity
  const lines = (program.loc as unknown as { lines?: { toString(options: object): string } } | undefined)?.lines
  if (!lines) return identity
  const parsed = lines.toString({ tabWidth: 4, reuseWhitespace: false, useTabs: false, lineTerminator: '\n' })
  const ownStarts = [0]
  for (const match of source.matchAll(LINE_BREAK)) ownStarts.push(match.index + match[0].length)
  const ownLines = source.split(LINE_BREAK)
  const parsedLines = parsed.split('\n')
  if (ownLines.length !== parsedLines.length) return identity
  const parsedStarts: number[] = []
  let at = 0
  for (const line of parsedLines) {
    parsedStarts.push(at)
    at += line.length + 1
  }
  return (offset) => {
    let low = 0
    let high = parsedStarts.length - 1
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if (parsedStarts[mid]! <= offset) low = mid
      else high = mid - 1
    }
    const own = ownLines[low]!
    const rest = own.length - (/^\s*/.exec(own)?.[0].length ?? 0)
    const ownIndent = own.length - rest
    const parsedIndent = Math.max(0, parsedLines[low]!.length - rest)
    const column = offset - parsedStarts[low]!
    return ownStarts[low]! + (column >= parsedIndent ? ownIndent + (column - parsedIndent) : Math.min(column, ownIndent))
  }
}

/**
 * Prints the file back: untouched nodes keep their original text; what the printer must lay out
 * itself uses the file's indentation (`indent`), not one it guesses.
 */
export function printFile(file: ParsedFile, indent = '  ', quote: "'" | '"' = "'"): string {
  const options = {
    // magicast's own format detection would override these (and reads a tab as one column).
    format: false,
    lineTerminator: file.source.includes('\r\n') ? '\r\n' : '\n',
    useTabs: indent === '\t',
    // Recast measured indentation at parse time with a tab as four columns.
    tabWidth: indent === '\t' ? 4 : indent.length,
    quote: quote === '"' ? 'double' : 'single',
  }
  const code = keepDirectivesAsWritten(file, generateCode(file.mod, options as never).code)
  return code.endsWith('\n') || !file.source.endsWith('\n') ? code : `${code}\n`
}

/**
 * When the statements around them change, the printer lays out `'use client'` / `'use strict'`
 * itself and ends them with `;`. Those it added to a directive written without one are removed,
 * at the positions the parser gives.
 */
function keepDirectivesAsWritten(file: ParsedFile, code: string): string {
  const written = file.program.directives.map((directive) => file.source[endOf(file, directive) - 1] === ';')
  if (!written.length || written.every(Boolean)) return code
  let printed: ParsedFile
  try {
    printed = parseFile(code)
  } catch {
    return code
  }
  let out = code
  const directives = printed.program.directives
  for (let i = directives.length - 1; i >= 0; i--) {
    const end = endOf(printed, directives[i]!)
    if (written[i] === false && out[end - 1] === ';') out = out.slice(0, end - 1) + out.slice(end)
  }
  return out
}

/**
 * Statements parsed from a template. They keep their location in the template's own text, so the
 * printer reuses that text verbatim (our quotes and semicolons, not the printer's) and reads the
 * blank lines around each statement from the template.
 */
export function templateStatements(code: string): t.Statement[] {
  return (parseModule(code).$ast as t.Program).body
}

/** The one statement of a template. */
export function templateStatement(code: string): t.Statement {
  const [statement] = templateStatements(code)
  if (!statement) throw new Error(`Empty template: ${code}`)
  return statement
}

/** The expression of a one-expression template, e.g. `templateExpression('<A b={null} />')`. */
export function templateExpression(code: string): t.Expression {
  // Parsed as an initialiser, not in parentheses, so the printer adds none of its own.
  const statement = templateStatement(`const __template = ${code}`)
  const init = statement.type === 'VariableDeclaration' ? statement.declarations[0]?.init : null
  if (!init) throw new Error(`Not an expression: ${code}`)
  return init
}
