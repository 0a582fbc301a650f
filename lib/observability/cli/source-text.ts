import type * as t from '@babel/types'
import { endOf, startOf, templateStatements, type ParsedFile } from './ast.js'

/**
 * A node's own source text, with its continuation lines made relative to the line it starts on.
 * Used to rebuild a node around the user's code (`withX(<their code>)`) as a template: the printer
 * reuses the text verbatim and re-indents it where the node sits.
 */
export function nodeText(file: ParsedFile, node: t.Node): string {
  const start = startOf(file, node)
  const text = file.source.slice(start, endOf(file, node))
  const lineStart = file.source.lastIndexOf('\n', start - 1) + 1
  let indent = 0
  while (file.source[lineStart + indent] === ' ' || file.source[lineStart + indent] === '\t') indent++
  if (!indent) return text
  return text
    .split('\n')
    .map((line, index) => {
      if (index === 0) return line
      let strip = 0
      while (strip < indent && (line[strip] === ' ' || line[strip] === '\t')) strip++
      return line.slice(strip)
    })
    .join('\n')
}

type WithComments = { comments?: Array<t.Comment & { leading?: boolean; trailing?: boolean }> }

/** Where a top-level statement starts and ends, with the comments attached to it. */
function statementSpan(file: ParsedFile, statement: t.Statement): { start: number; end: number } {
  const comments = (statement as WithComments).comments ?? []
  const leading = comments.filter((comment) => comment.leading)
  const trailing = comments.filter((comment) => comment.trailing)
  const first = leading[0] ?? statement
  const last = trailing[trailing.length - 1] ?? statement
  return { start: startOf(file, first), end: endOf(file, last) }
}

/** The line breaks between `at` and the code before it (or after it, forwards). */
function lineBreaksAround(source: string, at: number, direction: -1 | 1): string {
  let count = 0
  for (let i = direction < 0 ? at - 1 : at; i >= 0 && i < source.length; i += direction) {
    const char = source[i]
    if (char === '\n') count++
    else if (char !== ' ' && char !== '\t' && char !== '\r') break
  }
  return '\n'.repeat(count)
}

/**
 * A top-level statement's source with its comments (a doc comment above it, a note after it) and
 * the blank lines around it, ready to be parsed as a template in its place. `code` replaces the
 * statement's own text when given.
 */
export function statementSource(file: ParsedFile, statement: t.Statement, code?: string): string {
  const span = statementSpan(file, statement)
  const start = startOf(file, statement)
  const end = endOf(file, statement)
  const own = code ?? file.source.slice(start, end)
  return (
    lineBreaksAround(file.source, span.start, -1) +
    file.source.slice(span.start, start) +
    own +
    file.source.slice(end, span.end) +
    lineBreaksAround(file.source, span.end, 1)
  )
}

/**
 * Replaces a top-level statement with new code, keeping the comments and blank lines around it
 * (a doc comment above an exported function stays above it). `code` is the statement alone.
 */
export function replaceStatement(file: ParsedFile, statement: t.Statement, code: string): void {
  const index = file.program.body.indexOf(statement)
  if (index < 0) throw new Error('replaceStatement: not a top-level statement')
  file.program.body.splice(index, 1, ...templateStatements(statementSource(file, statement, code)))
}

/** Whether the statement's own text ends with a semicolon (kept as it was when it is rebuilt). */
export function endsWithSemicolon(file: ParsedFile, statement: t.Statement): boolean {
  return file.source[endOf(file, statement) - 1] === ';'
}
