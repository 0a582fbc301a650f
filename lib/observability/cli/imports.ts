import type * as t from '@babel/types'
import { templateStatement, type ParsedFile } from './ast'

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
 * Inserts an import (or `require`) among the file's own: just before its last one, which keeps
 * the block tight (no stray blank line) and leaves side-effect imports such as `./globals.css`
 * last; at the top, followed by a blank line, when the file has none.
 */
export function insertImport(file: ParsedFile, code: string): void {
  const body = file.program.body
  let last = -1
  body.forEach((statement, index) => {
    if (isModuleHeader(statement)) last = index
  })
  // Never above a file-header comment (`// @ts-check`, a licence): it must stay first.
  const index = last <= 0 && body[0] && hasFileHeaderComment(body[0]) ? 1 : Math.max(last, 0)
  body.splice(index, 0, templateStatement(last >= 0 ? `${code}\n` : `${code}\n\n`))
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
