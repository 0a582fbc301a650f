import type * as t from '@babel/types'
import type { ParsedFile } from './ast.js'
import { calleeName, findTopLevelBinding, unwrapTypeScript } from './ast-queries.js'
import { endsWithSemicolon, nodeText, replaceStatement } from './source-text.js'

/** The name `init` wraps every Next config in. */
export const WRAPPER = 'withObservabilityConfig'

/** Where the config expression sits, so it can be replaced by `withObservabilityConfig(it)`. */
export interface Slot {
  node: t.Expression | t.FunctionDeclaration
  replace: (expression: t.Expression) => void
}

export type Located = { slot: Slot; wrappers: string[]; commonJs: boolean } | { problem: string }

/** Finds the exported config and descends through `withX(config, …)` wrappers to the app's own. */
export function locateConfig(file: ParsedFile): Located {
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
          replace: () =>
            replaceStatement(file, statement, `export default ${WRAPPER}(${nodeText(file, declaration)})${endsWithSemicolon(file, statement) ? ';' : ''}`),
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

export type ConfigFunction = t.FunctionDeclaration | t.FunctionExpression | t.ArrowFunctionExpression

/** The function behind a config expression (`(phase) => ({…})`, or a name bound to one). */
export function configFunction(program: t.Program, node: t.Node): ConfigFunction | null {
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
