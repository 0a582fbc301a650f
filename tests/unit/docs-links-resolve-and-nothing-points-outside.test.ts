import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * The repository explains itself: every relative link in its Markdown resolves to a file or folder
 * of the repository (and a `#fragment` to a heading there, by GitHub's rule), and no file refers
 * to notes its readers do not have (a numbered section of an outside contract, a style guide, a
 * folder beside the repository, our tracker's issue numbers).
 */

const root = resolve(__dirname, '../..')
const TEXT = /\.(md|ts|tsx|js|mjs|cjs|json|sh|css|ya?ml)$/

/** The repository's own files, as git knows them: generated output and installs are not its text. */
const tracked = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
  .split('\0')
  .filter((file) => file && existsSync(join(root, file)))
  .map((file) => join(root, file))

const markdownFiles = tracked.filter((file) => file.endsWith('.md'))
const textFiles = tracked.filter((file) => TEXT.test(file) && !file.endsWith('package-lock.json'))
const rel = (file: string) => relative(root, file)

/** The text outside fenced code blocks, line by line (`null` for lines inside a fence). */
function proseLines(markdown: string): (string | null)[] {
  let fenced = false
  return markdown.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced
      return null
    }
    return fenced ? null : line
  })
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>()
  const out = new Set<string>()
  for (const line of proseLines(markdown)) {
    const m = line && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)
    if (!m) continue
    const text = m[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-')
    const n = seen.get(slug) ?? 0
    seen.set(slug, n + 1)
    out.add(n ? `${slug}-${n}` : slug)
  }
  return out
}

/** Inline and reference-style link targets outside code (fences and inline code spans). */
function linkTargets(markdown: string): string[] {
  const targets: string[] = []
  for (const line of proseLines(markdown)) {
    if (line === null) continue
    const prose = line.replace(/`[^`]*`/g, '')
    for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(m[1]!)
    const ref = /^\s*\[[^\]]+\]:\s*(\S+)/.exec(prose)
    if (ref) targets.push(ref[1]!)
  }
  return targets
}

function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target)
}

describe('relative links in the README and docs/ resolve inside the repository', () => {
  it('finds the Markdown to check', () => {
    const names = markdownFiles.map(rel)
    expect(names).toContain('README.md')
    expect(names).toContain(join('docs', 'configuration.md'))
    expect(names.some((n) => n.startsWith(join('docs', 'decisions') + sep))).toBe(true)
  })

  it.each(markdownFiles.map((file) => [rel(file), file]))('%s', (_name, file) => {
    const source = readFileSync(file, 'utf8')
    const broken: string[] = []
    for (const target of linkTargets(source)) {
      if (isExternal(target)) continue
      const [pathPart = '', fragment] = target.split('#', 2)
      const path = decodeURIComponent(pathPart)
      const resolved = path ? resolve(dirname(file), path) : file
      if (resolved !== root && !resolved.startsWith(root + sep)) {
        broken.push(`${target}: points outside the repository`)
        continue
      }
      if (!existsSync(resolved)) {
        broken.push(`${target}: no such file or folder`)
        continue
      }
      if (fragment && resolved.endsWith('.md') && !anchors(readFileSync(resolved, 'utf8')).has(fragment.toLowerCase())) {
        broken.push(`${target}: no heading #${fragment} in ${rel(resolved)}`)
      }
    }
    expect(broken).toEqual([])
  })

  it('the anchor rule matches GitHub on the headings these docs use', () => {
    const slugs = anchors(
      '## Same-origin routes (`/_ox/p/*`, `/_ox/s`)\n## 6. Browser\n### Decision 009: Sentry without OpenTelemetry\n## Scripts and cron jobs\n## Scripts and cron jobs\n',
    )
    expect([...slugs]).toEqual([
      'same-origin-routes-_oxp-_oxs',
      '6-browser',
      'decision-009-sentry-without-opentelemetry',
      'scripts-and-cron-jobs',
      'scripts-and-cron-jobs-1',
    ])
  })

  it('a link to a missing file, or one that leaves the repository, is found', () => {
    const targets = linkTargets('See [a](docs/missing.md), [b](../../outside.md) and `[c](in-code.md)`.\n```\n[d](fenced.md)\n```\n')
    expect(targets).toEqual(['docs/missing.md', '../../outside.md'])
  })
})

/** What no file of the project may cite; the patterns are written so that this file does not match them. */
const OUTSIDE = [
  { what: 'a numbered section of an outside contract', pattern: /CONTRACT\s*§/ },
  { what: 'the outside style guide', pattern: /\bSTYLE\.md\b/ },
  { what: 'the shared notes folder beside the repository', pattern: /\/work\/shared\b/ },
  { what: 'an issue number of our tracker (say what it decided instead)', pattern: /\b(?:issue|issues)\s+#?\d+\b/i },
]

describe('no file refers to anything outside the repository', () => {
  it('finds the files to check', () => {
    const names = textFiles.map(rel)
    expect(names).toContain('README.md')
    expect(names).toContain(join('lib', 'observability', 'shared', 'config.ts'))
    expect(names.some((n) => n.startsWith(join('tests', 'unit') + sep))).toBe(true)
  })

  it('cites no outside contract, style guide, shared notes or issue number', () => {
    const found: string[] = []
    for (const file of textFiles) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const { what, pattern } of OUTSIDE) if (pattern.test(line)) found.push(`${rel(file)}:${i + 1}: ${what}: ${line.trim().slice(0, 120)}`)
        })
    }
    expect(found).toEqual([])
  })

  it('every relative path to a `shared` folder stays inside the repository', () => {
    const found: string[] = []
    for (const file of textFiles) {
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:\.\.\/)+shared\b/g)) {
        const target = resolve(dirname(file), m[0])
        if (!target.startsWith(root + sep)) found.push(`${rel(file)}: ${m[0]} leaves the repository`)
      }
    }
    expect(found).toEqual([])
  })

  it('the patterns catch what they are for', () => {
    // Assembled here, so that this file's own text does not match.
    const samples = [
      ['see CONTRACT', '§4'].join(' '),
      ['per CONTRACT', '§8'].join(''),
      ['as STYLE', 'md says'].join('.'),
      ['in /work', 'shared/reference'].join('/'),
      ['fixed in issue', '18'].join(' '),
      ['Issue', '#7'].join(' '),
    ]
    for (const sample of samples)
      expect(
        OUTSIDE.some(({ pattern }) => pattern.test(sample)),
        sample,
      ).toBe(true)
    for (const sample of ['the contract of Node', 'issue a warning', 'import { x } from "../shared/x.js"']) {
      expect(
        OUTSIDE.some(({ pattern }) => pattern.test(sample)),
        sample,
      ).toBe(false)
    }
  })
})
