import type * as t from '@babel/types'
import { parseFile, printFile, templateExpression, templateStatement, type ParsedFile } from './ast.js'
import { callExpression, calleeName, findAll, isFunction, isTopLevelNameTaken, unwrapTypeScript, walk } from './ast-queries.js'
import { nodeText } from './source-text.js'
import { DEFAULT_STYLE, detectCodeStyle, type CodeStyle } from './code-style.js'
import { parseOrStop, stop, type EditResult } from './edit-result.js'
import { insertImport } from './imports.js'
import { ENTRY, importLine, nextConfigLines, requireLine } from './templates.js'
import { locateConfig, configFunction, WRAPPER, type ConfigFunction, type Slot } from './locate-next-config.js'

/**
 * Wraps the exported config in `withObservabilityConfig(...)` and adds the import (`require` for
 * CommonJS). Other wrappers stay outermost: we wrap the innermost config, so
 * `withSentryConfig(nextConfig, …)` becomes `withSentryConfig(withObservabilityConfig(nextConfig), …)`.
 * That way the kit always receives the app's own config object, whatever the other wrappers
 * return, and an outer `withSentryConfig` sees the kit's settings (see docs/init.md). A function
 * config (`(phase) => ({…})`) has each returned object wrapped. A file that already calls
 * `withObservabilityConfig` is left unchanged.
 */
export function editNextConfig(source: string, fallbackStyle?: CodeStyle): EditResult {
  const parsed = parseOrStop(() => parseFile(source), nextConfigLines(fallbackStyle ?? DEFAULT_STYLE))
  if ('kind' in parsed) return parsed
  const style = detectCodeStyle(parsed, fallbackStyle)
  const manual = nextConfigLines(style)
  const { program } = parsed

  if (findAll(program, (node): node is t.CallExpression => node.type === 'CallExpression' && calleeName(node.callee) === WRAPPER).length) {
    return { kind: 'unchanged' }
  }
  if (isTopLevelNameTaken(program, WRAPPER)) return stop(`it already defines a \`${WRAPPER}\` of its own`, manual)

  const located = locateConfig(parsed)
  if ('problem' in located) return stop(located.problem, manual)
  const wrapped = wrapConfig(parsed, located.slot, style)
  if (wrapped) return stop(wrapped, manual)

  insertImport(parsed, located.commonJs ? requireLine(style, WRAPPER, ENTRY.nextConfig) : importLine(style, WRAPPER, ENTRY.nextConfig))
  const notes = located.wrappers.length ? [`${WRAPPER} went inside ${located.wrappers.join(', ')}: the other wrappers stay outermost.`] : undefined
  return { kind: 'edited', code: printFile(parsed, style.indent, style.quote), notes }
}

/** Wraps the config at its slot, or each object a config function returns. Returns a problem, or null. */
function wrapConfig(file: ParsedFile, slot: Slot, style: CodeStyle): string | null {
  const { program } = file
  const node = slot.node
  const inner = node.type === 'FunctionDeclaration' ? node : unwrapTypeScript(node)
  const fn = configFunction(program, inner)
  if (fn) return wrapReturns(file, fn, style) ? null : 'its config function has no `return` we can wrap'
  if (inner.type === 'ObjectExpression' || inner.type === 'Identifier' || inner.type === 'MemberExpression' || inner.type === 'CallExpression') {
    slot.replace(callExpression(WRAPPER, [node as t.Expression]))
    return null
  }
  return `its exported config is a ${inner.type}, which we do not edit`
}

/**
 * Wraps every value the function itself returns (not its nested functions'). Each return is
 * rebuilt from its own text, so the user's formatting (and semicolon habit) is kept.
 */
function wrapReturns(file: ParsedFile, fn: ConfigFunction, style: CodeStyle): boolean {
  const wrapped = (value: t.Expression): string => {
    const awaited = fn.async && unwrapTypeScript(value).type !== 'ObjectExpression'
    return `${WRAPPER}(${awaited ? 'await ' : ''}${nodeText(file, value)})`
  }
  if (fn.body.type !== 'BlockStatement') {
    fn.body = templateExpression(wrapped(fn.body))
    return true
  }
  const returns: t.ReturnStatement[] = []
  walk(fn.body, (node) => {
    if (isFunction(node) || node.type === 'ClassDeclaration' || node.type === 'ClassExpression') return false
    if (node.type === 'ReturnStatement' && node.argument) returns.push(node)
  })
  for (const statement of returns) {
    const replacement = templateStatement(`return ${wrapped(statement.argument!)}${style.semi}`)
    replaceNode(fn.body, statement, replacement)
  }
  return returns.length > 0
}

/** Replaces `target` wherever it sits under `root`. */
function replaceNode(root: t.Node, target: t.Node, replacement: t.Node): void {
  walk(root, (node) => {
    for (const [key, value] of Object.entries(node)) {
      if (value === target) (node as unknown as Record<string, unknown>)[key] = replacement
      else if (Array.isArray(value)) {
        const index = value.indexOf(target)
        if (index >= 0) value[index] = replacement
      }
    }
  })
}
