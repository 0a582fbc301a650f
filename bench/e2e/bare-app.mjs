// The "bare Next.js app" of the end-to-end table: the demo without the kit at all (no middleware,
// no instrumentation, no provider, plain route handlers), written into .bench/bare-app/ and built
// once per run. Same pages and components as the demo, with the kit's calls taken out; a check
// refuses the copy if any import of the kit survived.

import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, nextBuild } from '../procs.mjs'

export const BARE_DIR = join(ROOT, '.bench/bare-app')

const FILES = {
  'next.config.mjs': `export default { reactStrictMode: true, poweredByHeader: false }\n`,
  'tsconfig.json': JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        lib: ['dom', 'dom.iterable', 'esnext'],
        strict: false,
        noEmit: true,
        esModuleInterop: true,
        module: 'esnext',
        moduleResolution: 'bundler',
        resolveJsonModule: true,
        isolatedModules: true,
        jsx: 'react-jsx',
        skipLibCheck: true,
        allowJs: true,
        plugins: [{ name: 'next' }],
      },
      include: ['**/*.ts', '**/*.tsx'],
      exclude: ['node_modules'],
    },
    null,
    2,
  ),
  'package.json': JSON.stringify({ name: 'bench-bare-app', private: true }, null, 2),
  'app/api/ping/route.ts': `export const GET = async () => Response.json({ ok: true })\n`,
  'app/api/health/route.ts': `export function GET() {\n  return Response.json({ ok: true })\n}\n`,
  'app/debug/throw/page.tsx': [
    `import { DebugThrow } from '../../../components/DebugThrow'`,
    `export const dynamic = 'force-dynamic'`,
    `export default async function DebugThrowPage() {`,
    `  return <DebugThrow />`,
    `}`,
    ``,
  ].join('\n'),
}

/** Demo files copied with edits that take the kit out: `[path, edits]`, each edit `[from, to]`. */
const COPIED = [
  ['app/globals.css', []],
  ['app/page.tsx', [[`'@/components/DemoSignIn'`, `'../components/DemoSignIn'`]]],
  [
    'app/layout.tsx',
    [
      [/^import \{ DemoObservability \}.*\n/m, ''],
      [/^\s*<DemoObservability \/>\n/m, ''],
    ],
  ],
  [
    'components/DemoSignIn.tsx',
    [
      [
        /^import \{ DEMO_USER_CHANGED, DEMO_USER_COOKIE as COOKIE \} from '@\/lib\/demo\/user'\n/m,
        `const DEMO_USER_CHANGED = 'demo-user-changed'\nconst COOKIE = 'demo_user'\n`,
      ],
    ],
  ],
  [
    'components/DebugThrow.tsx',
    [
      [/^import \{ useFeatureFlag \}.*\n/m, ''],
      [/useFeatureFlag\('demo-flag'\)/, 'undefined as boolean | undefined'],
    ],
  ],
]

/** Writes the bare app (replacing any previous copy) and builds it; resolves to its directory. */
export async function buildBareApp({ logFile }) {
  rmSync(BARE_DIR, { recursive: true, force: true })
  mkdirSync(BARE_DIR, { recursive: true })
  for (const [path, text] of Object.entries(FILES)) write(path, text)
  for (const [path, edits] of COPIED) {
    let text = readFileSync(join(ROOT, path), 'utf8')
    for (const [from, to] of edits) {
      const next = text.replace(from, to)
      if (next === text) throw new Error(`bare app: ${path} no longer contains ${from}; update bench/e2e/bare-app.mjs`)
      text = next
    }
    write(path, text)
  }
  for (const path of [...Object.keys(FILES), ...COPIED.map(([p]) => p)]) {
    const text = readFileSync(join(BARE_DIR, path), 'utf8')
    if (/observability-kit|@\/lib\/observability|lib\/demo\//.test(text)) throw new Error(`bare app: ${path} still uses the kit or the demo's helpers`)
  }
  if (existsSync(join(ROOT, 'public'))) cpSync(join(ROOT, 'public'), join(BARE_DIR, 'public'), { recursive: true })
  await nextBuild({ logFile, cwd: BARE_DIR })
  return BARE_DIR
}

function write(path, text) {
  mkdirSync(join(BARE_DIR, path, '..'), { recursive: true })
  writeFileSync(join(BARE_DIR, path), text)
}
