import type * as t from '@babel/types'
import { endOf, startOf, type ParsedFile } from './ast.js'
import { findAll } from './ast-queries.js'

/**
 * The few habits of a codebase that our inserted lines copy, so an edit reads as if its author
 * wrote it: quote character, semicolons, indentation unit.
 */
export interface CodeStyle {
  quote: "'" | '"'
  /** `';'` or `''`. */
  semi: string
  indent: string
}

/** Used when a file gives no clue (e.g. it has no string literal). */
export const DEFAULT_STYLE: CodeStyle = { quote: "'", semi: '', indent: '  ' }

const STATEMENTS_ENDING_WITH_SEMICOLON = new Set([
  'ImportDeclaration',
  'ExportNamedDeclaration',
  'ExportAllDeclaration',
  'VariableDeclaration',
  'ExpressionStatement',
  'ReturnStatement',
])

/**
 * Reads the style from the parsed file: the quote of its first import (or string), whether its
 * simple statements end with `;`, and the indentation of its first nested statement.
 */
export function detectCodeStyle(file: ParsedFile, fallback: CodeStyle = DEFAULT_STYLE): CodeStyle {
  const { program, source } = file
  const strings = findAll(program, (node): node is t.StringLiteral => node.type === 'StringLiteral')
  const firstString = strings.find((s) => typeof s.start === 'number')
  const quoteChar = firstString ? source[startOf(file, firstString)] : undefined
  const quote = quoteChar === '"' || quoteChar === "'" ? quoteChar : fallback.quote

  let withSemicolon = 0
  let without = 0
  const statements = findAll(program, (node): node is t.Statement => STATEMENTS_ENDING_WITH_SEMICOLON.has(node.type))
  for (const statement of statements) {
    if (typeof statement.end !== 'number') continue
    if (statement.type === 'ExportNamedDeclaration' && statement.declaration && statement.declaration.type !== 'VariableDeclaration') continue
    if (source[endOf(file, statement) - 1] === ';') withSemicolon++
    else without++
  }
  const semi = withSemicolon + without === 0 ? fallback.semi : withSemicolon > without ? ';' : ''

  return { quote, semi, indent: detectIndent(file) ?? fallback.indent }
}

/** The indentation unit: the leading whitespace of the first statement nested one level deep. */
function detectIndent(file: ParsedFile): string | null {
  const lines = file.source.split('\n')
  for (const statement of file.program.body) {
    const nested = findAll(
      statement,
      (node): node is t.BlockStatement | t.ObjectExpression => node.type === 'BlockStatement' || node.type === 'ObjectExpression',
    )
    for (const block of nested) {
      const first = block.type === 'BlockStatement' ? block.body[0] : block.properties[0]
      const outer = block.loc?.start.line
      const inner = first?.loc?.start.line
      if (!first?.loc || !outer || !inner || inner === outer) continue
      const outerIndent = leadingWhitespace(lines[outer - 1] ?? '')
      const innerIndent = leadingWhitespace(lines[inner - 1] ?? '')
      if (innerIndent.length > outerIndent.length && innerIndent.startsWith(outerIndent)) return innerIndent.slice(outerIndent.length)
    }
  }
  return null
}

/** The spaces or tabs a line starts with. */
export function leadingWhitespace(line: string): string {
  let i = 0
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++
  return line.slice(0, i)
}

/** A string literal in the file's quote style, escaped. */
export function quoted(style: CodeStyle, value: string): string {
  const q = style.quote
  let out = ''
  for (const char of value) {
    if (char === '\\' || char === q) out += `\\${char}`
    else if (char === '\n') out += '\\n'
    else out += char
  }
  return `${q}${out}${q}`
}
