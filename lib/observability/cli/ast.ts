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

const SKIPPED_KEYS = new Set(['loc', 'tokens', 'comments', 'leadingComments', 'trailingComments', 'innerComments', 'extra', 'original'])

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

/** Whether a value is an AST node. */
export function isNode(value: unknown): value is t.Node {
  return !!value && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string'
}

/**
 * Depth-first walk over every node under `root`. Return `false` from `visit` to skip a node's
 * children (e.g. not to enter nested functions).
 */
export function walk(root: t.Node, visit: (node: t.Node, parent: t.Node | null) => boolean | void): void {
  const stack: Array<[t.Node, t.Node | null]> = [[root, null]]
  while (stack.length) {
    const [node, parent] = stack.pop()!
    if (visit(node, parent) === false) continue
    const children: Array<[t.Node, t.Node]> = []
    for (const key of Object.keys(node)) {
      if (SKIPPED_KEYS.has(key)) continue
      const value = (node as unknown as Record<string, unknown>)[key]
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) children.push([item, node])
      } else if (isNode(value)) children.push([value, node])
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!)
  }
}

/** Every node under `root` that passes `test`, in source order. */
export function findAll<T extends t.Node>(root: t.Node, test: (node: t.Node) => node is T): T[] {
  const found: T[] = []
  walk(root, (node) => {
    if (test(node)) found.push(node)
  })
  return found
}

/** Whether a node is a function of any kind (their bodies are a scope of their own). */
export function isFunction(node: t.Node): node is t.FunctionDeclaration | t.FunctionExpression | t.ArrowFunctionExpression | t.ObjectMethod | t.ClassMethod {
  return (
    node.type === 'FunctionDeclaration' ||
    node.type === 'FunctionExpression' ||
    node.type === 'ArrowFunctionExpression' ||
    node.type === 'ObjectMethod' ||
    node.type === 'ClassMethod'
  )
}

/** Strips `x as T`, `x satisfies T`, `x!` and `<T>x`: the value underneath is what we edit. */
export function unwrapTypeScript(node: t.Expression): t.Expression {
  let current = node
  while (
    current.type === 'TSAsExpression' ||
    current.type === 'TSSatisfiesExpression' ||
    current.type === 'TSNonNullExpression' ||
    current.type === 'TSTypeAssertion' ||
    current.type === 'ParenthesizedExpression'
  ) {
    current = current.expression
  }
  return current
}

/** `name(...args)` as a node. */
export function callExpression(name: string, args: Array<t.Expression | t.SpreadElement>): t.CallExpression {
  return { type: 'CallExpression', callee: { type: 'Identifier', name }, arguments: args }
}

/** The name of an identifier or of the last property of a member expression (`Sentry.withX` → `withX`). */
export function calleeName(node: t.Node): string | null {
  if (node.type === 'Identifier') return node.name
  if ((node.type === 'MemberExpression' || node.type === 'OptionalMemberExpression') && node.property.type === 'Identifier') return node.property.name
  return null
}

/** The top-level variable declarator or function declaration that binds `name`, if any. */
export function findTopLevelBinding(program: t.Program, name: string): t.VariableDeclarator | t.FunctionDeclaration | t.ImportDeclaration | null {
  for (const statement of program.body) {
    const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement
    if (!declaration) continue
    if (declaration.type === 'VariableDeclaration') {
      for (const declarator of declaration.declarations) if (declarator.id.type === 'Identifier' && declarator.id.name === name) return declarator
    } else if (declaration.type === 'FunctionDeclaration' && declaration.id?.name === name) {
      return declaration
    } else if (declaration.type === 'ImportDeclaration' && declaration.specifiers.some((s) => s.local.name === name)) {
      return declaration
    }
  }
  return null
}

/** Whether a top-level name is taken (import, variable, function or class), so we never shadow it. */
export function isTopLevelNameTaken(program: t.Program, name: string): boolean {
  if (findTopLevelBinding(program, name)) return true
  return program.body.some((statement) => {
    const declaration = statement.type === 'ExportNamedDeclaration' || statement.type === 'ExportDefaultDeclaration' ? statement.declaration : statement
    return declaration?.type === 'ClassDeclaration' && declaration.id?.name === name
  })
}
