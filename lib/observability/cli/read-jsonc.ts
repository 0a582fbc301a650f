import type * as t from '@babel/types'
import { templateExpression } from './ast.js'

/**
 * Reads a `tsconfig.json` / `jsconfig.json`: JSON with comments and trailing commas, which is a
 * valid JavaScript expression, so the same parser reads it. Returns null when it is not one.
 */
export function readJsonc(text: string): unknown {
  try {
    return toValue(templateExpression(`(${text}\n)`))
  } catch {
    return null
  }
}

function toValue(node: t.Node): unknown {
  switch (node.type) {
    case 'ObjectExpression': {
      const object: Record<string, unknown> = {}
      for (const property of node.properties) {
        if (property.type !== 'ObjectProperty') throw new Error('not JSON')
        const key = property.key.type === 'StringLiteral' ? property.key.value : property.key.type === 'Identifier' ? property.key.name : null
        if (key === null) throw new Error('not JSON')
        object[key] = toValue(property.value)
      }
      return object
    }
    case 'ArrayExpression':
      return node.elements.map((element) => (element ? toValue(element) : null))
    case 'StringLiteral':
    case 'NumericLiteral':
    case 'BooleanLiteral':
      return node.value
    case 'NullLiteral':
      return null
    case 'UnaryExpression':
      if (node.operator === '-' && node.argument.type === 'NumericLiteral') return -node.argument.value
      throw new Error('not JSON')
    default:
      throw new Error('not JSON')
  }
}
