import type * as t from '@babel/types'
import { parseFile, printFile, templateExpression, type ParsedFile } from './ast.js'
import { isTopLevelNameTaken } from './ast-queries.js'
import { nodeText, replaceStatement } from './source-text.js'
import { detectCodeStyle, type CodeStyle } from './code-style.js'
import { parseOrStop, stop, type EditResult } from './edit-result.js'
import { insertImport, referencesModule } from './imports.js'
import { keepKitRoutesOutOfMatcher } from './matcher.js'
import { ENTRY, importLine, middlewareLines } from './templates.js'

const WRAPPER = 'withObservability'

/**
 * Composes the app's own middleware (or Next 16 proxy) with the kit's: the exported function is
 * wrapped in `withObservability(...)`, so it receives the request with `x-request-id` set and
 * whatever it returns keeps its behaviour. `convention` is the export Next reads from this file
 * (`middleware` in `middleware.ts`, `proxy` in `proxy.ts`; either may instead be the default
 * export). The matcher is then checked so the kit's `/_ox/` routes never reach the app's logic.
 */
export function editMiddleware(source: string, convention: 'proxy' | 'middleware', fallbackStyle: CodeStyle): EditResult {
  const parsed = parseOrStop(() => parseFile(source), middlewareLines(fallbackStyle, convention))
  if ('kind' in parsed) return parsed
  const style = detectCodeStyle(parsed, fallbackStyle)
  const manual = middlewareLines(style, convention)
  const { program } = parsed

  if (referencesModule(program, ENTRY.edge)) return { kind: 'unchanged' }
  if (isTopLevelNameTaken(program, WRAPPER)) return stop(`it already defines a \`${WRAPPER}\` of its own`, manual)

  const wrapped = wrapExportedFunction(parsed, convention, style)
  if (wrapped) return stop(wrapped, manual)
  const matcher = keepKitRoutesOutOfMatcher(parsed, style)
  if ('problem' in matcher) return stop(matcher.problem, manual)

  insertImport(parsed, importLine(style, WRAPPER, ENTRY.edge))
  return { kind: 'edited', code: printFile(parsed, style.indent, style.quote), notes: matcher.changed ? [matcher.note] : undefined }
}

/** Wraps the function Next calls; returns a problem, or null once wrapped. */
function wrapExportedFunction(file: ParsedFile, convention: string, style: CodeStyle): string | null {
  const wrap = (node: t.Node) => `${WRAPPER}(${nodeText(file, node)})`
  let defaultExport: t.ExportDefaultDeclaration | null = null

  for (const statement of file.program.body) {
    if (statement.type === 'ExportDefaultDeclaration') defaultExport = statement
    if (statement.type !== 'ExportNamedDeclaration') continue
    const exportsConvention = statement.specifiers.some((s) => s.exported.type === 'Identifier' && s.exported.name === convention)
    if (exportsConvention) return `it exports \`${convention}\` through \`export { … }\`, which we do not rewrite`
    const declaration = statement.declaration
    if (declaration?.type === 'FunctionDeclaration' && declaration.id?.name === convention) {
      // `export function middleware(req) {…}` → `export const middleware = withObservability(function middleware(req) {…})`
      replaceStatement(file, statement, `export const ${convention} = ${wrap(declaration)}${style.semi}`)
      return null
    }
    if (declaration?.type === 'VariableDeclaration') {
      const declarator = declaration.declarations.find((d) => d.id.type === 'Identifier' && d.id.name === convention)
      if (!declarator) continue
      if (!declarator.init) return `its \`${convention}\` has no value`
      declarator.init = templateExpression(wrap(declarator.init))
      return null
    }
  }

  if (!defaultExport) return `it exports neither \`${convention}\` nor a default function`
  const declaration = defaultExport.declaration
  if (declaration.type === 'ClassDeclaration' || declaration.type.startsWith('TS')) return 'its default export is not a function'
  replaceStatement(file, defaultExport, `export default ${wrap(declaration)}${style.semi}`)
  return null
}
