import type * as t from '@babel/types'
import { parseFile, printFile, templateExpression, templateStatement, templateStatements, type ParsedFile } from './ast.js'
import { isTopLevelNameTaken, unwrapTypeScript } from './ast-queries.js'
import { nodeText } from './source-text.js'
import { detectCodeStyle, quoted, type CodeStyle } from './code-style.js'
import { parseOrStop, stop, type EditResult } from './edit-result.js'
import { insertImport, referencesModule } from './imports.js'
import { ENTRY, importLine, instrumentationLines } from './templates.js'

const KIT_REGISTER = 'registerObservability'
const KIT_ON_REQUEST_ERROR = 'onObservabilityRequestError'

type AnyFunction = t.FunctionDeclaration | t.FunctionExpression | t.ArrowFunctionExpression

/** One named export of the file, as far as we can edit it. */
type Found =
  | { kind: 'missing' }
  | { kind: 'function'; fn: AnyFunction }
  | { kind: 'value'; declarator: t.VariableDeclarator & { init: t.Expression } }
  | { kind: 'unusual' }

/**
 * Composes an existing `instrumentation.ts` with the kit's: the kit's `register()` runs first in
 * the app's `register`, and the kit's `onRequestError` first in the app's; an export the app does
 * not have is re-exported from the package. A file that already imports from the package's
 * instrumentation entry is left unchanged.
 */
export function editInstrumentation(source: string, typescript: boolean, fallbackStyle: CodeStyle): EditResult {
  const parsed = parseOrStop(() => parseFile(source), instrumentationLines(fallbackStyle))
  if ('kind' in parsed) return parsed
  const style = detectCodeStyle(parsed, fallbackStyle)
  const manual = instrumentationLines(style)
  const { program } = parsed

  if (referencesModule(program, ENTRY.instrumentation)) return { kind: 'unchanged' }
  for (const name of [KIT_REGISTER, KIT_ON_REQUEST_ERROR]) {
    if (isTopLevelNameTaken(program, name)) return stop(`it already defines a \`${name}\` of its own`, manual)
  }

  const imports: string[] = []
  const reexports: string[] = []

  const register = findNamedExport(program, 'register')
  if (register.kind === 'unusual') return stop('its `register` is exported in a form we do not rewrite', manual)
  if (register.kind === 'value') return stop('its `register` is not a function literal', manual)
  if (register.kind === 'missing') reexports.push('register')
  else {
    prepend(parsed, register.fn, `await ${KIT_REGISTER}()${style.semi}`, style)
    imports.push(`register as ${KIT_REGISTER}`)
  }

  const onRequestError = findNamedExport(program, 'onRequestError')
  if (onRequestError.kind === 'unusual') return stop('its `onRequestError` is exported in a form we do not rewrite', manual)
  if (onRequestError.kind === 'missing') reexports.push('onRequestError')
  else if (onRequestError.kind === 'value') {
    // `export const onRequestError = Sentry.captureRequestError`: call the kit's, then theirs.
    const declarator = onRequestError.declarator
    const theirs = unwrapTypeScript(declarator.init)
    const callee = theirs.type === 'Identifier' || theirs.type === 'MemberExpression' ? nodeText(parsed, theirs) : `(${nodeText(parsed, theirs)})`
    const args = typescript ? `...args: Parameters<typeof ${KIT_ON_REQUEST_ERROR}>` : '...args'
    declarator.init = templateExpression(
      [
        `async (${args}) => {`,
        `${style.indent}await ${KIT_ON_REQUEST_ERROR}(...args)${style.semi}`,
        `${style.indent}return ${callee}(...args)${style.semi}`,
        `}`,
      ].join('\n'),
    )
    imports.push(`onRequestError as ${KIT_ON_REQUEST_ERROR}`)
  } else {
    const args = forwardedArguments(onRequestError.fn)
    if (!args) return stop('its `onRequestError` does not take (error, request, context) as plain parameters', manual)
    prepend(parsed, onRequestError.fn, `await ${KIT_ON_REQUEST_ERROR}(${args})${style.semi}`, style)
    imports.push(`onRequestError as ${KIT_ON_REQUEST_ERROR}`)
  }

  if (imports.length) insertImport(parsed, importLine(style, imports.join(', '), ENTRY.instrumentation))
  if (reexports.length) {
    program.body.push(...templateStatements(`\n\nexport { ${reexports.join(', ')} } from ${quoted(style, ENTRY.instrumentation)}${style.semi}\n`))
  }
  return { kind: 'edited', code: printFile(parsed, style.indent, style.quote) }
}

function findNamedExport(program: t.Program, name: string): Found {
  for (const statement of program.body) {
    if (statement.type !== 'ExportNamedDeclaration') continue
    if (statement.specifiers.some((s) => s.exported.type === 'Identifier' && s.exported.name === name)) return { kind: 'unusual' }
    const declaration = statement.declaration
    if (declaration?.type === 'FunctionDeclaration' && declaration.id?.name === name) return { kind: 'function', fn: declaration }
    if (declaration?.type !== 'VariableDeclaration') continue
    for (const declarator of declaration.declarations) {
      if (declarator.id.type !== 'Identifier' || declarator.id.name !== name) continue
      if (!declarator.init) return { kind: 'unusual' }
      const init = unwrapTypeScript(declarator.init)
      if (init.type === 'ArrowFunctionExpression' || init.type === 'FunctionExpression') return { kind: 'function', fn: init }
      return { kind: 'value', declarator: declarator as t.VariableDeclarator & { init: t.Expression } }
    }
  }
  return { kind: 'missing' }
}

/** Makes the function async and runs `statement` first in it. */
function prepend(file: ParsedFile, fn: AnyFunction, statement: string, style: CodeStyle): void {
  fn.async = true
  if (fn.body.type === 'BlockStatement') {
    fn.body.body.unshift(templateStatement(statement))
    return
  }
  // `() => doSomething()` becomes a block that returns what it returned.
  const block = templateStatement(
    [`async function __template() {`, `${style.indent}${statement}`, `${style.indent}return ${nodeText(file, fn.body)}${style.semi}`, `}`].join('\n'),
  )
  if (block.type !== 'FunctionDeclaration') throw new Error('block template')
  fn.body = block.body
}

/** `error, request, context` (or `...args`) as the function names them, or null. */
function forwardedArguments(fn: AnyFunction): string | null {
  const [first] = fn.params
  if (fn.params.length === 1 && first?.type === 'RestElement' && first.argument.type === 'Identifier') return `...${first.argument.name}`
  if (fn.params.length !== 3) return null
  const names = fn.params.map((param) => (param.type === 'Identifier' ? param.name : null))
  return names.every((name) => name !== null) ? names.join(', ') : null
}
