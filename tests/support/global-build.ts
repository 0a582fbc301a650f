import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { buildApp, ROOT, TEST_DIST_DIR } from './next-server'

/**
 * One `next build` with nothing set, shared by every integration test: the tests then start it
 * with different environments, which is itself the proof that config is read at runtime.
 * `OBS_REUSE_BUILD=1` skips the build when one exists (local iteration only).
 */
export default async function setup(): Promise<void> {
  if (process.env.OBS_REUSE_BUILD === '1' && existsSync(join(ROOT, TEST_DIST_DIR, 'BUILD_ID'))) return
  await buildApp()
}
