import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** A `sourceMappingURL` comment at the end of a file, before a `debugId` comment if there is one. */
const JS_MAP_COMMENT = /(?:^|\r?\n)\/\/[#@] sourceMappingURL=[^\s'"`*]+\s*?(?=(?:\r?\n\/\/# (?:debugId|chunkId)=[\w-]+\s*)*$)/
const CSS_MAP_COMMENT = /\n?\/\*[#@] sourceMappingURL=[^\s*]+\s*\*\/\s*$/

/**
 * After the upload, the browser's source maps leave the build: every `.map` under
 * `<distDir>/static` is deleted (anything there is served publicly at `/_next/static/…`), and the
 * `sourceMappingURL` comments that pointed at them are removed, so browsers ask for nothing that
 * is not there. The debug and chunk ids stay: they are how Sentry and PostHog find the maps.
 * Returns how many maps were removed.
 */
export async function removeClientSourceMaps(distDir: string): Promise<number> {
  const staticDir = join(distDir, 'static')
  let files: string[]
  try {
    files = (await readdir(staticDir, { recursive: true })).map(String)
  } catch {
    return 0
  }
  let removed = 0
  await Promise.all(
    files.map(async (file) => {
      const path = join(staticDir, file)
      if (file.endsWith('.map')) {
        await rm(path, { force: true })
        removed++
        return
      }
      const pattern = /\.(?:m|c)?js$/.test(file) ? JS_MAP_COMMENT : file.endsWith('.css') ? CSS_MAP_COMMENT : undefined
      if (!pattern) return
      const text = await readFile(path, 'utf8')
      const stripped = text.replace(pattern, '')
      if (stripped !== text) await writeFile(path, stripped)
    }),
  )
  return removed
}
