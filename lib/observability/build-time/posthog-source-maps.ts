import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import type { Release } from '../shared/release.js'
import type { PostHogUpload } from './source-map-settings.js'

/**
 * PostHog error tracking's source maps, with PostHog's CLI (`posthog-cli`, from `@posthog/cli`,
 * which downloads its binary when installed), the way `@posthog/nextjs-config` runs it, in two
 * steps around Sentry's own: `inject` first (chunk ids into every chunk and its map), and
 * `upload` after Sentry injected its debug ids, so that the maps PostHog receives describe the
 * files as they are served. The CLI reads `POSTHOG_CLI_API_KEY`, `POSTHOG_CLI_PROJECT_ID` and
 * `POSTHOG_CLI_HOST`.
 */
export async function injectForPostHog(distDir: string, upload: PostHogUpload): Promise<boolean> {
  return runCli(['sourcemap', 'inject', '--directory', distDir], upload)
}

export async function uploadToPostHog(distDir: string, upload: PostHogUpload, release: Release): Promise<boolean> {
  return runCli(['sourcemap', 'upload', '--directory', distDir, '--release-name', release.serviceName, '--release-version', release.version], upload)
}

/** `posthog-cli` from the project's `node_modules/.bin`, else from `PATH`. */
function findCli(): string | undefined {
  const dirs = [join(process.cwd(), 'node_modules', '.bin'), ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)]
  for (const dir of dirs) {
    const candidate = join(dir, process.platform === 'win32' ? 'posthog-cli.cmd' : 'posthog-cli')
    if (existsSync(candidate)) return candidate
  }
  return undefined
}

function runCli(args: string[], upload: PostHogUpload): Promise<boolean> {
  const cli = findCli()
  if (!cli) {
    console.warn(
      '[observability] POSTHOG_CLI_API_KEY is set but posthog-cli is not installed (npm install -D @posthog/cli): PostHog source maps are not uploaded.',
    )
    return Promise.resolve(false)
  }
  const env = {
    ...process.env,
    POSTHOG_CLI_API_KEY: upload.apiKey,
    POSTHOG_CLI_PROJECT_ID: upload.projectId,
    ...(upload.host ? { POSTHOG_CLI_HOST: upload.host } : {}),
  }
  return new Promise((resolve) => {
    const child = spawn(cli, args, { env, stdio: 'inherit', shell: process.platform === 'win32' })
    child.on('error', (error) => {
      console.warn(`[observability] posthog-cli ${args[1]} failed to start: ${error.message}`)
      resolve(false)
    })
    child.on('exit', (code) => {
      if (code !== 0)
        console.warn(`[observability] posthog-cli ${args.slice(0, 2).join(' ')} exited with ${String(code)}: PostHog source maps may be incomplete.`)
      resolve(code === 0)
    })
  })
}
