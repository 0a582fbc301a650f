import type * as t from '@babel/types'
import { startOf, templateStatement, templateStatements, type ParsedFile } from './ast.js'
import { unwrapTypeScript } from './ast-queries.js'
import { quoted, type CodeStyle } from './code-style.js'
import { KIT_MATCHER, matcherConfig } from './templates.js'

/** What happened to `config.matcher`: nothing, an edit (with a note for the user), or a problem. */
export type MatcherOutcome = { changed: false } | { changed: true; note: string } | { problem: string }

/**
 * Makes sure requests to the kit's routes (`/_ox/…`) never reach the app's own middleware logic:
 * an auth check there would answer the SDKs' ingestion requests with a redirect to a login page.
 *
 * - no `config`: adds the kit's matcher;
 * - a negative-lookahead catch-all (`/((?!api|_next/static).*)`): adds `_ox/` to its exclusions;
 * - paths that start with a literal segment (`/dashboard/:path*`): cannot match `/_ox/…`, kept;
 * - anything else (a variable, a regex catch-all we cannot read): a problem, so `init` stops and
 *   prints the lines to add rather than guess.
 */
export function keepKitRoutesOutOfMatcher(file: ParsedFile, style: CodeStyle): MatcherOutcome {
  const { program } = file
  const config = findConfig(program)
  if (config === 'unusual') return { problem: 'its `config` is not declared as `export const config = { … }`' }
  if (!config) {
    program.body.push(...templateStatements(`\n\n${matcherConfig(style)}\n`))
    return { changed: true, note: "it had no config.matcher: added the kit's, which also leaves static files out of your middleware" }
  }
  const object = unwrapTypeScript(config)
  if (object.type !== 'ObjectExpression') return { problem: 'its `config` is not an object literal' }
  const matcher = object.properties.find((property): property is t.ObjectProperty => property.type === 'ObjectProperty' && keyName(property) === 'matcher')
  if (!matcher) {
    const declaration = templateStatement(`const __template = {\n  matcher: [${quoted(style, KIT_MATCHER)}],\n}`)
    const added = declaration.type === 'VariableDeclaration' ? declaration.declarations[0]?.init : null
    if (added?.type !== 'ObjectExpression') throw new Error('matcher template')
    object.properties.push(...added.properties)
    return { changed: true, note: "its config had no matcher: added the kit's, which also leaves static files out of your middleware" }
  }

  const literals = matcherLiterals(matcher.value)
  if (!literals) return { problem: 'its config.matcher is not a string or an array of strings / { source } objects' }
  let changed = false
  for (const literal of literals) {
    const verdict = excludeKitRoutes(literal.value)
    if (verdict === 'unusual') return { problem: `its matcher ${JSON.stringify(literal.value)} may match /_ox/… and is too unusual to edit safely` }
    if (verdict === 'safe') continue
    const raw = quoted({ ...style, quote: literalQuote(file, literal) ?? style.quote }, verdict)
    literal.value = verdict
    literal.extra = { ...(literal.extra ?? {}), raw, rawValue: verdict }
    changed = true
  }
  return changed ? { changed: true, note: 'added _ox/ to the exclusions of its config.matcher' } : { changed: false }
}

function findConfig(program: t.Program): t.Expression | 'unusual' | null {
  for (const statement of program.body) {
    if (statement.type === 'ExportNamedDeclaration') {
      if (statement.specifiers.some((s) => s.exported.type === 'Identifier' && s.exported.name === 'config')) return 'unusual'
      const declaration = statement.declaration
      if (declaration?.type !== 'VariableDeclaration') continue
      for (const declarator of declaration.declarations) {
        if (declarator.id.type === 'Identifier' && declarator.id.name === 'config') return declarator.init ?? 'unusual'
      }
    }
  }
  return null
}

function keyName(property: t.ObjectProperty): string | null {
  if (property.key.type === 'Identifier') return property.key.name
  if (property.key.type === 'StringLiteral') return property.key.value
  return null
}

/** Every path pattern of a matcher (`'/a'`, `['/a', { source: '/b' }]`), or null when one is not a literal. */
function matcherLiterals(value: t.Node): t.StringLiteral[] | null {
  const node =
    value.type === 'ArrayExpression' || value.type === 'StringLiteral' || value.type === 'ObjectExpression' ? value : unwrapTypeScript(value as t.Expression)
  if (node.type === 'StringLiteral') return [node]
  if (node.type === 'ObjectExpression') {
    const source = node.properties.find((p): p is t.ObjectProperty => p.type === 'ObjectProperty' && keyName(p) === 'source')
    return source?.value.type === 'StringLiteral' ? [source.value] : null
  }
  if (node.type !== 'ArrayExpression') return null
  const literals: t.StringLiteral[] = []
  for (const element of node.elements) {
    if (!element || element.type === 'SpreadElement') return null
    const inner = matcherLiterals(element)
    if (!inner) return null
    literals.push(...inner)
  }
  return literals
}

function literalQuote(file: ParsedFile, literal: t.StringLiteral): "'" | '"' | null {
  const char = typeof literal.start === 'number' ? file.source[startOf(file, literal)] : undefined
  return char === "'" || char === '"' ? char : null
}

const LOOKAHEAD_PREFIX = '/((?!'
const LOOKAHEAD_SUFFIX = ').*)'
const LITERAL_CHARS = /^[A-Za-z0-9_.~-]$/

/**
 * For one matcher pattern: `'safe'` when it cannot match `/_ox/…` or already excludes it, the
 * pattern with `_ox/` added to its exclusions, or `'unusual'`.
 */
export function excludeKitRoutes(pattern: string): 'safe' | 'unusual' | string {
  if (pattern === '/') return 'safe'
  if (pattern.startsWith(LOOKAHEAD_PREFIX) && pattern.endsWith(LOOKAHEAD_SUFFIX)) {
    const alternatives = splitAlternatives(pattern.slice(LOOKAHEAD_PREFIX.length, -LOOKAHEAD_SUFFIX.length))
    if (!alternatives) return 'unusual'
    if (alternatives.some((alternative) => alternative.startsWith('_ox'))) return 'safe'
    let at = 0
    alternatives.forEach((alternative, index) => {
      if (alternative.startsWith('_next')) at = index + 1
    })
    alternatives.splice(at, 0, '_ox/')
    return `${LOOKAHEAD_PREFIX}${alternatives.join('|')}${LOOKAHEAD_SUFFIX}`
  }
  // A first segment that starts with literal text other than `_ox` can never match `/_ox/…`.
  if (!pattern.startsWith('/')) return 'unusual'
  let literal = ''
  for (const char of pattern.slice(1)) {
    if (!LITERAL_CHARS.test(char)) break
    literal += char
  }
  if (!literal || '_ox/'.startsWith(literal) || literal.startsWith('_ox')) return 'unusual'
  return 'safe'
}

/** Splits `a|b(c|d)|e` at its top-level bars; null when brackets do not balance. */
function splitAlternatives(text: string): string[] | null {
  const parts: string[] = []
  let depth = 0
  let inClass = false
  let current = ''
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    if (char === '\\') {
      current += char + (text[i + 1] ?? '')
      i++
      continue
    }
    if (inClass) inClass = char !== ']'
    else if (char === '[') inClass = true
    else if (char === '(') depth++
    else if (char === ')') depth--
    if (depth < 0) return null
    if (char === '|' && depth === 0 && !inClass) {
      parts.push(current)
      current = ''
      continue
    }
    current += char
  }
  if (depth !== 0 || inClass) return null
  parts.push(current)
  return parts
}
