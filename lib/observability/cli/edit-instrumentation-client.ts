import type * as t from '@babel/types'
import { parseFile, printFile, templateStatement } from './ast.js'
import { calleeName, findAll, isTopLevelNameTaken } from './ast-queries.js'
import { detectCodeStyle, type CodeStyle } from './code-style.js'
import { parseOrStop, stop, type EditResult } from './edit-result.js'
import { indexAfterImports, insertImport, localNameOf } from './imports.js'
import { bootCall, ENTRY, importLine, instrumentationClientLines } from './templates.js'

const BOOT = 'bootObservability'

/**
 * Adds the kit's two lines to an existing `instrumentation-client.ts`: the import and
 * `bootObservability()` right after the imports, so browser errors are kept from the first
 * moment (before hydration). Each line is added only if missing.
 */
export function editInstrumentationClient(source: string, fallbackStyle: CodeStyle): EditResult {
  const parsed = parseOrStop(() => parseFile(source), instrumentationClientLines(fallbackStyle))
  if ('kind' in parsed) return parsed
  const style = detectCodeStyle(parsed, fallbackStyle)
  const { program } = parsed

  const local = localNameOf(program, ENTRY.client, BOOT)
  const called = findAll(program, (node): node is t.CallExpression => node.type === 'CallExpression' && calleeName(node.callee) === (local ?? BOOT)).length > 0
  if (local && called) return { kind: 'unchanged' }
  if (!local && isTopLevelNameTaken(program, BOOT)) return stop(`it already defines a \`${BOOT}\` of its own`, instrumentationClientLines(style))

  if (!called)
    program.body.splice(indexAfterImports(program), 0, templateStatement(`\n\n${local && local !== BOOT ? `${local}()${style.semi}` : bootCall(style)}\n\n`))
  if (!local) insertImport(parsed, importLine(style, BOOT, ENTRY.client))
  return { kind: 'edited', code: printFile(parsed, style.indent, style.quote) }
}
