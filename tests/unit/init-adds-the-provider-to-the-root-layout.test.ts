import { describe, expect, it } from 'vitest'
import { DEFAULT_STYLE } from '@/lib/observability/cli/code-style'
import { editLayout } from '@/lib/observability/cli/edit-layout'

function edited(source: string): string {
  const result = editLayout(source, DEFAULT_STYLE)
  if (result.kind !== 'edited') throw new Error(`expected an edit, got ${JSON.stringify(result)}`)
  return result.code
}

describe('init renders <ObservabilityProvider user={null} /> as the last child of <body>', () => {
  it("on its own line, in the file's style, and keeps a directive as written", () => {
    expect(
      edited(
        `'use client'\nimport { Shell } from './shell'\n\nexport default function Layout({ children }) {\n\treturn (\n\t\t<html>\n\t\t\t<body>\n\t\t\t\t<Shell>{children}</Shell>\n\t\t\t</body>\n\t\t</html>\n\t)\n}\n`,
      ),
    ).toBe(
      `'use client'\nimport { Shell } from './shell'\nimport { ObservabilityProvider } from 'nextjs-observability-kit/client'\n\nexport default function Layout({ children }) {\n\treturn (\n\t\t<html>\n\t\t\t<body>\n\t\t\t\t<Shell>{children}</Shell>\n\t\t\t\t<ObservabilityProvider user={null} />\n\t\t\t</body>\n\t\t</html>\n\t)\n}\n`,
    )
  })

  it('a body written on one line is laid out over several; one with text gets the element appended', () => {
    expect(edited(`export default function L({ children }) {\n  return <html><body className="x">{children}</body></html>\n}\n`)).toContain(
      `  return <html><body className="x">\n    {children}\n    <ObservabilityProvider user={null} />\n  </body></html>`,
    )
    expect(edited(`export default function L({ children }) {\n  return <html><body>Hello {children}</body></html>\n}\n`)).toContain(
      '<body>Hello {children}<ObservabilityProvider user={null} /></body>',
    )
  })

  it('stops on two <body> elements, and leaves a wired layout unchanged', () => {
    const two = editLayout(`export default function L({ a }) {\n  return a ? <html><body /></html> : <html><body>x</body></html>\n}\n`, DEFAULT_STYLE)
    expect(two).toMatchObject({ kind: 'stop', reason: 'it renders more than one <body>' })
    const wired = `import { ObservabilityProvider as Kit } from 'nextjs-observability-kit/client'\nexport default function L({ children }) {\n  return <html><body>{children}<Kit user={null} /></body></html>\n}\n`
    expect(editLayout(wired, DEFAULT_STYLE).kind).toBe('unchanged')
  })
})
