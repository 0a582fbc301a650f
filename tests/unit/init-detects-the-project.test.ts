import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { detectProject, type Project } from '@/lib/observability/cli/detect-project'
import { copyFixture, init } from './init-fixture-tree'

function detect(app: string): Project {
  const detection = detectProject(app)
  if ('problem' in detection) throw new Error(detection.problem)
  return detection.project
}

describe('init reads everything it needs from the project itself', () => {
  it("Next's installed version wins over the range in package.json, and decides proxy.ts (16) or middleware.ts (15)", async () => {
    const app = copyFixture('next15-typescript')
    expect(detect(app)).toMatchObject({ next: { version: '15.5.28', major: 15, source: 'package.json' }, convention: 'middleware' })
    mkdirSync(join(app, 'node_modules/next'), { recursive: true })
    writeFileSync(join(app, 'node_modules/next/package.json'), '{ "name": "next", "version": "16.2.1" }\n')
    expect(detect(app)).toMatchObject({ next: { version: '16.2.1', major: 16, source: 'installed' }, convention: 'proxy' })
    rmSync(join(app, 'node_modules'), { recursive: true })

    writeFileSync(join(app, 'package.json'), '{ "dependencies": { "next": "canary" } }\n')
    expect(detect(app)).toMatchObject({ next: { version: null, major: 16, source: 'assumed latest' }, convention: 'proxy' })
    writeFileSync(join(app, 'package.json'), '{ "devDependencies": { "next": ">=15.3.0 <16" } }\n')
    expect(detect(app).convention).toBe('middleware')
  })

  it('app/ or src/app/, TypeScript or JavaScript, the alias from a tsconfig/jsconfig with comments', () => {
    expect(detect(copyFixture('next16-src-typescript'))).toMatchObject({
      appDir: 'src/app',
      codeDir: 'src',
      typescript: true,
      importAlias: '@/*',
      layout: 'src/app/layout.tsx',
    })
    const js = copyFixture('javascript-mjs-jsx')
    writeFileSync(join(js, 'jsconfig.json'), '{\n  // paths for the editor\n  "compilerOptions": { "paths": { "~/*": ["./*"], }, },\n}\n')
    expect(detect(js)).toMatchObject({
      appDir: 'app',
      codeDir: '',
      typescript: false,
      importAlias: '~/*',
      nextConfig: 'next.config.mjs',
      layout: 'app/layout.jsx',
    })
  })

  it('Cache Components, and the style created files copy from the root layout', () => {
    expect(detect(copyFixture('next16-src-typescript'))).toMatchObject({ cacheComponents: true, style: { quote: '"', semi: ';', indent: '  ' } })
    expect(detect(copyFixture('existing-middleware-redirect'))).toMatchObject({ cacheComponents: false, style: { quote: "'", semi: '' } })
    expect(detect(copyFixture('sentry-wrapped-config'))).toMatchObject({ cacheComponents: true, configWrappers: ['withSentryConfig'] })
  })

  it('the install command follows the lockfile, then packageManager, and disappears once the kit is a dependency', async () => {
    const app = copyFixture('next15-typescript')
    writeFileSync(join(app, 'yarn.lock'), '')
    expect((await init(app, { dryRun: true })).output).toContain('The app would still need: yarn add nextjs-observability-kit')
    rmSync(join(app, 'yarn.lock'))
    writeFileSync(join(app, 'bun.lock'), '')
    expect((await init(app, { dryRun: true })).output).toContain('bun add nextjs-observability-kit')
    rmSync(join(app, 'bun.lock'))
    writeFileSync(join(app, 'package.json'), '{ "packageManager": "pnpm@10.4.0", "dependencies": { "next": "15.5.28" } }\n')
    expect((await init(app, { dryRun: true })).output).toContain('pnpm add nextjs-observability-kit')
    writeFileSync(join(app, 'package.json'), '{ "dependencies": { "next": "15.5.28", "nextjs-observability-kit": "0.1.0" } }\n')
    expect((await init(app, { dryRun: true })).output).not.toContain('nextjs-observability-kit\n')
    expect((await init(app, { dryRun: true })).output).toMatch(/Dry run: nothing was written\.$/)
  })
})
