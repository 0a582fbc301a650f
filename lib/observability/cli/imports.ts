import type * as t from '@babel/types'
import { endOf, startOf, templateStatement, templateStatements, type ParsedFile } from './ast.js'
import { statementSource } from './source-text.js'

/** The package's name: every mark `init` leaves is an import from it. */
export const PACKAGE_NAME = 'nextjs-observability-kit'

/**
 * Whether the file imports, re-exports or requires anything from `from`: the mark `init` checks
 * to know a file is already wired (a second run must add nothing).
 */
export function referencesModule(program: t.Program, from: string): boolean {
  return program.body.some((statement) => {
    if (statement.type === 'ImportDeclaration' || statement.type === 'ExportAllDeclaration') return statement.source.value === from
    if (statement.type === 'ExportNamedDeclaration') return statement.source?.value === from
    return requireSource(statement) === from
  })
}

/**
 * The local name under which `imported` is imported (ESM) or destructured from `require` (CJS)
 * from `from`, or null.
 */
export function localNameOf(program: t.Program, from: string, imported: string): string | null {
  for (const statement of program.body) {
    if (statement.type === 'ImportDeclaration' && statement.source.value === from) {
      for (const specifier of statement.specifiers) {
        if (specifier.type !== 'ImportSpecifier') continue
        const name = specifier.imported.type === 'Identifier' ? specifier.imported.name : specifier.imported.value
        if (name === imported) return specifier.local.name
      }
    }
    if (requireSource(statement) === from && statement.type === 'VariableDeclaration') {
      const pattern = statement.declarations[0]?.id
      if (pattern?.type !== 'ObjectPattern') continue
      for (const property of pattern.properties) {
        if (property.type !== 'ObjectProperty' || property.key.type !== 'Identifier' || property.key.name !== imported) continue
        if (property.value.type === 'Identifier') return property.value.name
      }
    }
  }
  return null
}

/** `'x'` for `const … = require('x')`, else null. */
function requireSource(statement: t.Statement): string | null {
  if (statement.type !== 'VariableDeclaration' || statement.declarations.length !== 1) return null
  const init = statement.declarations[0]?.init
  if (init?.type !== 'CallExpression' || init.callee.type !== 'Identifier' || init.callee.name !== 'require') return null
  const [arg] = init.arguments
  return arg?.type === 'StringLiteral' ? arg.value : null
}

function isModuleHeader(statement: t.Statement): boolean {
  return statement.type === 'ImportDeclaration' || requireSource(statement) !== null
}

/**
 * Inserts an import (or `require`) among the file's own: right after its last one that binds a
 * name, so side-effect imports such as `./globals.css` stay last. The anchor import is rebuilt
 * from its own text together with ours, which keeps the block tight (the printer would otherwise
 * repeat the blank line that followed it). With no import, ours goes first, after a file-header
 * comment such as `// @ts-check`, followed by a blank line.
 */
export function insertImport(file: ParsedFile, code: string): void {
  const body = file.program.body
  let anchor = -1
  body.forEach((statement, index) => {
    if (isModuleHeader(statement) && !isSideEffectImport(statement)) anchor = index
  })
  if (anchor < 0) {
    body.forEach((statement, index) => {
      if (isModuleHeader(statement)) anchor = index
    })
  }
  if (anchor >= 0) {
    const statement = body[anchor]!
    const own = file.source.slice(startOf(file, statement), endOf(file, statement))
    body.splice(anchor, 1, ...templateStatements(statementSource(file, statement, `${own}\n${code}`)))
    return
  }
  const first = body[0]
  const header = first ? headerComments(first) : []
  if (first && header.length) {
    // `// @ts-check` stays first: ours goes between it and the rest of the statement's comments.
    const headerEnd = endOf(file, header[header.length - 1]!)
    const firstStart = startOf(file, first)
    const rest = file.source.slice(headerEnd, firstStart).trimStart()
    const text = `${file.source.slice(startOf(file, header[0]!), headerEnd)}\n${code}\n\n${rest}${file.source.slice(firstStart, endOf(file, first))}`
    replaceWhole(file, first, text)
    return
  }
  body.splice(0, 0, templateStatement(`${code}\n\n`))
}

/** Replaces a statement and all its leading comments with `text` (which carries its own). */
function replaceWhole(file: ParsedFile, statement: t.Statement, text: string): void {
  const comments = (statement as { comments?: Array<t.Comment & { trailing?: boolean }> }).comments ?? []
  const trailing = comments.filter((comment) => comment.trailing)
  const last = trailing[trailing.length - 1] ?? statement
  const after = file.source.slice(endOf(file, statement), endOf(file, last))
  const index = file.program.body.indexOf(statement)
  file.program.body.splice(index, 1, ...templateStatements(`${text}${after}\n`))
}

function isSideEffectImport(statement: t.Statement): boolean {
  return statement.type === 'ImportDeclaration' && statement.specifiers.length === 0
}

/** The leading comments that must stay at the top of the file (`// @ts-check`, a licence), in order. */
function headerComments(statement: t.Statement): t.Comment[] {
  const comments = ((statement as { comments?: Array<t.Comment & { leading?: boolean }> }).comments ?? []).filter((comment) => comment.leading)
  let last = -1
  comments.forEach((comment, index) => {
    if (/@ts-(?:no)?check|eslint-disable|@license|@jsx|^\s*!/.test(comment.value)) last = index
  })
  return comments.slice(0, last + 1)
}

/** Index just after the file's imports (and requires): where top-level calls go. */
export function indexAfterImports(program: t.Program): number {
  let after = 0
  program.body.forEach((statement, index) => {
    if (isModuleHeader(statement)) after = index + 1
  })
  return after
}
