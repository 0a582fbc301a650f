import type * as t from '@babel/types'
import { statementSource, templateStatement, templateStatements, type ParsedFile } from './ast'

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
    body.splice(anchor, 1, ...templateStatements(`${statementSource(file, body[anchor]!)}\n${code}\n`))
    return
  }
  const index = body[0] && hasFileHeaderComment(body[0]) ? 1 : 0
  body.splice(index, 0, templateStatement(`${code}\n\n`))
}

function isSideEffectImport(statement: t.Statement): boolean {
  return statement.type === 'ImportDeclaration' && statement.specifiers.length === 0
}

/** Whether a statement carries a comment that must stay at the top of the file. */
function hasFileHeaderComment(statement: t.Statement): boolean {
  const comments = (statement as { comments?: Array<t.Comment & { leading?: boolean }> }).comments ?? []
  return comments.some((comment) => comment.leading && /@ts-(?:no)?check|eslint-disable|@license|@jsx|^\s*!/.test(comment.value))
}

/** Index just after the file's imports (and requires): where top-level calls go. */
export function indexAfterImports(program: t.Program): number {
  let after = 0
  program.body.forEach((statement, index) => {
    if (isModuleHeader(statement)) after = index + 1
  })
  return after
}
