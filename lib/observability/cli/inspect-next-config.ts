import type * as t from '@babel/types'
import { parseFile, type ParsedFile } from './ast.js'
import { findTopLevelBinding, isFunction, unwrapTypeScript, walk } from './ast-queries.js'
import { configFunction, locateConfig } from './locate-next-config.js'

/** What `init` reports about a Next config. */
export interface NextConfigFacts {
  /** `cacheComponents: true` (16) or `experimental.cacheComponents` / `experimental.dynamicIO` (15); null when the config is not a literal we can read. */
  cacheComponents: boolean | null
  /** Other wrappers around the config, outermost first (e.g. `withSentryConfig`). */
  wrappers: string[]
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
