import type * as t from '@babel/types'
import {
  callExpression,
  calleeName,
  endsWithSemicolon,
  findAll,
  findTopLevelBinding,
  isFunction,
  isTopLevelNameTaken,
  nodeText,
  parseFile,
  printFile,
  replaceStatement,
  templateExpression,
  templateStatement,
  unwrapTypeScript,
  walk,
  type ParsedFile,
} from './ast'
import { detectCodeStyle, type CodeStyle } from './code-style'
import { parseOrStop, stop, type EditResult } from './edit-result'
import { insertImport } from './imports'
import { ENTRY, importLine, nextConfigLines, requireLine } from './templates'

const WRAPPER = 'withObservabilityConfig'

/** What `init` reports about a Next config. */
export interface NextConfigFacts {
  /** `cacheComponents: true` (16) or `experimental.cacheComponents` / `experimental.dynamicIO` (15); null when the config is not a literal we can read. */
  cacheComponents: boolean | null
  /** Other wrappers around the config, outermost first (e.g. `withSentryConfig`). */
  wrappers: string[]
}

/** Where the config expression sits, so it can be replaced by `withObservabilityConfig(it)`. */
interface Slot {
  node: t.Expression | t.FunctionDeclaration
  replace: (expression: t.Expression) => void
}

type Located = { slot: Slot; wrappers: string[]; commonJs: boolean } | { problem: string }

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
  const parsed = parseOrStop(() => parseFile(source), nextConfigLines(fallbackStyle ?? { quote: "'", semi: '', indent: '  ' }))
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
  const notes = located.wrappers.length
    ? [`${WRAPPER} went inside ${located.wrappers.join(", ")}: the other wrappers stay outermost.`]
    : undefined
  return { kind: 'edited', code: printFile(parsed, style.indent, style.quote), notes }
}

/** Reads Cache Components and the other wrappers from a Next config, without changing it. */
export function inspectNextConfig(source: string): NextConfigFacts {
  let file: ParsedFile
  try {
    file = parseFile(source)
  } catch {
    return { cacheComponents: null, wrappers: [] }
  }
  const { program } = file
  const located = locateConfig(file)
  if ('problem' in located) return { cacheComponents: null, wrappers: [] }
  return { cacheComponents: readCacheComponents(program, located.slot.node), wrappers: located.wrappers }
}

/** Finds the exported config and descends through `withX(config, …)` wrappers to the app's own. */
function locateConfig(file: ParsedFile): Located {
  const { program } = file
  const exported = exportedConfig(file)
  if (!exported) return { problem: 'it has no `export default` or `module.exports =` to wrap' }
  let { slot } = exported
  const wrappers: string[] = []
  for (;;) {
    const node = slot.node
    if (node.type === 'FunctionDeclaration') break
    const inner = unwrapTypeScript(node)
    if (inner.type === 'Identifier') {
      // `const nextConfig = withBundleAnalyzer({...})`: the wrapping happens in the declaration.
      const binding = findTopLevelBinding(program, inner.name)
      if (binding?.type === 'VariableDeclarator' && binding.init && unwrapTypeScript(binding.init).type === 'CallExpression') {
        const declarator = binding
        slot = { node: binding.init, replace: (expression) => (declarator.init = expression) }
        continue
      }
      break
    }
    if (inner.type !== 'CallExpression') break
    const name = calleeName(inner.callee)
    const [first] = inner.arguments
    if (!name || !/^with/.test(name)) return { problem: `its config comes from \`${name ?? 'a call'}(…)\`, whose result may not be a config object` }
    if (!first || first.type === 'SpreadElement' || first.type === 'ArrayExpression' || first.type === 'ArgumentPlaceholder') {
      return { problem: `its config is passed to \`${name}(…)\` in a shape we do not edit` }
    }
    wrappers.push(name)
    const call = inner
    slot = { node: first, replace: (expression) => (call.arguments[0] = expression) }
  }
  return { slot, wrappers, commonJs: exported.commonJs }
}

function exportedConfig(file: ParsedFile): { slot: Slot; commonJs: boolean } | null {
  for (const statement of file.program.body) {
    if (statement.type === 'ExportDefaultDeclaration') {
      const declaration = statement.declaration
      if (declaration.type === 'FunctionDeclaration') return { slot: { node: declaration, replace: () => {} }, commonJs: false }
      if (declaration.type === 'ClassDeclaration' || declaration.type === 'TSDeclareFunction') return null
      // Rebuilt as a whole statement from its text: the printer would otherwise reprint it with a `;`.
      return {
        slot: {
          node: declaration,
          replace: () => replaceStatement(file, statement, `export default ${WRAPPER}(${nodeText(file, declaration)})${endsWithSemicolon(file, statement) ? ';' : ''}`),
        },
        commonJs: false,
      }
    }
    if (statement.type === 'ExpressionStatement' && statement.expression.type === 'AssignmentExpression') {
      const assignment = statement.expression
      const left = assignment.left
      const isModuleExports =
        left.type === 'MemberExpression' &&
        left.object.type === 'Identifier' &&
        left.object.name === 'module' &&
        left.property.type === 'Identifier' &&
        left.property.name === 'exports'
      if (isModuleExports) return { slot: { node: assignment.right, replace: (expression) => (assignment.right = expression) }, commonJs: true }
    }
  }
  return null
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

type ConfigFunction = t.FunctionDeclaration | t.FunctionExpression | t.ArrowFunctionExpression

/** The function behind a config expression (`(phase) => ({…})`, or a name bound to one). */
function configFunction(program: t.Program, node: t.Node): ConfigFunction | null {
  if (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression') return node
  if (node.type !== 'Identifier') return null
  const binding = findTopLevelBinding(program, node.name)
  if (binding?.type === 'FunctionDeclaration') return binding
  if (binding?.type === 'VariableDeclarator' && binding.init) {
    const init = unwrapTypeScript(binding.init)
    if (init.type === 'FunctionExpression' || init.type === 'ArrowFunctionExpression') return init
  }
  return null
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

/** Cache Components from the config literal(s), or null when the config is not one we can read. */
function readCacheComponents(program: t.Program, node: t.Node): boolean | null {
  const objects = configObjects(program, node)
  if (!objects.length) return null
  return objects.some((object) => {
    if (booleanProperty(object, 'cacheComponents')) return true
    const experimental = property(object, 'experimental')
    return experimental?.type === 'ObjectExpression' && (booleanProperty(experimental, 'cacheComponents') || booleanProperty(experimental, 'dynamicIO'))
  })
}

function configObjects(program: t.Program, node: t.Node): t.ObjectExpression[] {
  const inner = node.type === 'FunctionDeclaration' ? node : unwrapTypeScript(node as t.Expression)
  if (inner.type === 'ObjectExpression') return [inner]
  const fn = configFunction(program, inner)
  if (fn) {
    if (fn.body.type !== 'BlockStatement') return configObjects(program, fn.body)
    const objects: t.ObjectExpression[] = []
    walk(fn.body, (child) => {
      if (isFunction(child)) return false
      if (child.type === 'ReturnStatement' && child.argument) objects.push(...configObjects(program, child.argument))
    })
    return objects
  }
  if (inner.type === 'Identifier') {
    const binding = findTopLevelBinding(program, inner.name)
    if (binding?.type === 'VariableDeclarator' && binding.init) return configObjects(program, binding.init)
  }
  return []
}

function property(object: t.ObjectExpression, name: string): t.Node | null {
  for (const prop of object.properties) {
    if (prop.type !== 'ObjectProperty') continue
    const key = prop.key.type === 'Identifier' ? prop.key.name : prop.key.type === 'StringLiteral' ? prop.key.value : null
    if (key === name) return prop.value
  }
  return null
}

function booleanProperty(object: t.ObjectExpression, name: string): boolean {
  const value = property(object, name)
  return value?.type === 'BooleanLiteral' && value.value
}
