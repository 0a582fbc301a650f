import type * as t from '@babel/types'

/** Node keys that hold no child node (positions, comments, recast's bookkeeping). */
const SKIPPED_KEYS = new Set(['loc', 'tokens', 'comments', 'leadingComments', 'trailingComments', 'innerComments', 'extra', 'original'])

/** Whether a value is an AST node. */
export function isNode(value: unknown): value is t.Node {
  return !!value && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string'
}

/**
 * Depth-first walk over every node under `root`. Return `false` from `visit` to skip a node's
 * children (e.g. not to enter nested functions).
 */
export function walk(root: t.Node, visit: (node: t.Node, parent: t.Node | null) => boolean | void): void {
  const stack: Array<[t.Node, t.Node | null]> = [[root, null]]
  while (stack.length) {
    const [node, parent] = stack.pop()!
    if (visit(node, parent) === false) continue
    const children: Array<[t.Node, t.Node]> = []
    for (const key of Object.keys(node)) {
      if (SKIPPED_KEYS.has(key)) continue
      const value = (node as unknown as Record<string, unknown>)[key]
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) children.push([item, node])
      } else if (isNode(value)) children.push([value, node])
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!)
  }
}

/** Every node under `root` that passes `test`, in source order. */
export function findAll<T extends t.Node>(root: t.Node, test: (node: t.Node) => node is T): T[] {
  const found: T[] = []
  walk(root, (node) => {
    if (test(node)) found.push(node)
  })
  return found
}

/** Whether a node is a function of any kind (their bodies are a scope of their own). */
export function isFunction(node: t.Node): node is t.FunctionDeclaration | t.FunctionExpression | t.ArrowFunctionExpression | t.ObjectMethod | t.ClassMethod {
  return (
    node.type === 'FunctionDeclaration' ||
    node.type === 'FunctionExpression' ||
    node.type === 'ArrowFunctionExpression' ||
    node.type === 'ObjectMethod' ||
    node.type === 'ClassMethod'
  )
}

/** Strips `x as T`, `x satisfies T`, `x!` and `<T>x`: the value underneath is what we edit. */
export function unwrapTypeScript(node: t.Expression): t.Expression {
  let current = node
  while (
    current.type === 'TSAsExpression' ||
    current.type === 'TSSatisfiesExpression' ||
    current.type === 'TSNonNullExpression' ||
    current.type === 'TSTypeAssertion' ||
    current.type === 'ParenthesizedExpression'
  ) {
    current = current.expression
  }
  return current
}

/** `name(...args)` as a node. */
export function callExpression(name: string, args: Array<t.Expression | t.SpreadElement>): t.CallExpression {
  return { type: 'CallExpression', callee: { type: 'Identifier', name }, arguments: args }
}

/** The name of an identifier or of the last property of a member expression (`Sentry.withX` → `withX`). */
export function calleeName(node: t.Node): string | null {
  if (node.type === 'Identifier') return node.name
  if ((node.type === 'MemberExpression' || node.type === 'OptionalMemberExpression') && node.property.type === 'Identifier') return node.property.name
  return null
}

/** The top-level variable declarator or function declaration that binds `name`, if any. */
export function findTopLevelBinding(program: t.Program, name: string): t.VariableDeclarator | t.FunctionDeclaration | t.ImportDeclaration | null {
  for (const statement of program.body) {
    const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement
    if (!declaration) continue
    if (declaration.type === 'VariableDeclaration') {
      for (const declarator of declaration.declarations) if (declarator.id.type === 'Identifier' && declarator.id.name === name) return declarator
    } else if (declaration.type === 'FunctionDeclaration' && declaration.id?.name === name) {
      return declaration
    } else if (declaration.type === 'ImportDeclaration' && declaration.specifiers.some((s) => s.local.name === name)) {
      return declaration
    }
  }
  return null
}

/** Whether a top-level name is taken (import, variable, function or class), so we never shadow it. */
export function isTopLevelNameTaken(program: t.Program, name: string): boolean {
  if (findTopLevelBinding(program, name)) return true
  return program.body.some((statement) => {
    const declaration = statement.type === 'ExportNamedDeclaration' || statement.type === 'ExportDefaultDeclaration' ? statement.declaration : statement
    return declaration?.type === 'ClassDeclaration' && declaration.id?.name === name
  })
}
