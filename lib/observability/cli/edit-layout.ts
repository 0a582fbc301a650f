import type * as t from '@babel/types'
import { endOf, parseFile, printFile, startOf, type ParsedFile } from './ast.js'
import { findAll, isTopLevelNameTaken } from './ast-queries.js'
import { detectCodeStyle, leadingWhitespace, type CodeStyle } from './code-style.js'
import { parseOrStop, stop, type EditResult } from './edit-result.js'
import { insertImport, localNameOf } from './imports.js'
import { ENTRY, importLine, layoutLines, PROVIDER_ELEMENT } from './templates.js'

const PROVIDER = 'ObservabilityProvider'

/**
 * Renders `<ObservabilityProvider user={null} />` as the last child of `<body>` in the root
 * layout, and imports it. The provider is a client leaf, so the layout stays a server component.
 * Stops when the file has no `<body>` element, or more than one, rather than guess where it goes.
 */
export function editLayout(source: string, fallbackStyle: CodeStyle): EditResult {
  const parsed = parseOrStop(() => parseFile(source), layoutLines(fallbackStyle))
  if ('kind' in parsed) return parsed
  const style = detectCodeStyle(parsed, fallbackStyle)
  const manual = layoutLines(style)
  const { program } = parsed

  const local = localNameOf(program, ENTRY.client, PROVIDER)
  const rendered = findAll(program, (node): node is t.JSXElement => node.type === 'JSXElement' && elementName(node) === (local ?? PROVIDER))
  if (local && rendered.length) return { kind: 'unchanged' }
  if (!local && isTopLevelNameTaken(program, PROVIDER)) return stop(`it already defines an \`${PROVIDER}\` of its own`, manual)

  let file = parsed
  if (!rendered.length) {
    const bodies = findAll(program, (node): node is t.JSXElement => node.type === 'JSXElement' && elementName(node) === 'body')
    if (bodies.length !== 1) return stop(bodies.length ? 'it renders more than one <body>' : 'no <body> element is rendered in it', manual)
    const body = bodies[0]!
    if (body.openingElement.selfClosing || !body.closingElement) return stop('its <body> has no children to add to', manual)
    // Spliced at the positions the parser gives, then parsed again: the printer would reprint the
    // whole `return (…)` around an edited JSX tree, in its own style rather than the file's.
    file = parseFile(withChildAppended(parsed, body, local ?? PROVIDER, style))
  }
  if (!local) insertImport(file, importLine(style, PROVIDER, ENTRY.client))
  return { kind: 'edited', code: printFile(file, style.indent, style.quote) }
}

function elementName(element: t.JSXElement): string | null {
  const name = element.openingElement.name
  return name.type === 'JSXIdentifier' ? name.name : null
}

function isBlank(child: t.Node): boolean {
  return child.type === 'JSXText' && child.value.trim() === ''
}

/**
 * The source with the provider after the body's last child, on its own line at the children's
 * indentation. A body written on one line (`<body>{children}</body>`) is laid out over several,
 * as Prettier would, when its children are elements and expressions only.
 */
function withChildAppended(file: ParsedFile, body: t.JSXElement, name: string, style: CodeStyle): string {
  const { source } = file
  const element = name === PROVIDER ? PROVIDER_ELEMENT : `<${name} user={null} />`
  const bodyIndent = leadingWhitespace(source.split('\n')[(body.loc?.start.line ?? 1) - 1] ?? '')
  const childIndent = `\n${bodyIndent}${style.indent}`
  const splice = (from: number, to: number, text: string) => source.slice(0, from) + text + source.slice(to)
  const children = body.children
  const last = children[children.length - 1]
  const closing = body.closingElement!

  if (last && isBlank(last) && (last as t.JSXText).value.includes('\n')) return splice(startOf(file, last), startOf(file, last), `${childIndent}${element}`)
  const onlyElements = children.every(
    (child) => isBlank(child) || child.type === 'JSXElement' || child.type === 'JSXExpressionContainer' || child.type === 'JSXFragment',
  )
  if (!onlyElements) return splice(startOf(file, closing), startOf(file, closing), element)
  const laidOut = children.filter((child) => !isBlank(child)).map((child) => `${childIndent}${source.slice(startOf(file, child), endOf(file, child))}`)
  return splice(endOf(file, body.openingElement), startOf(file, closing), `${laidOut.join('')}${childIndent}${element}\n${bodyIndent}`)
}
