// Preloaded into a `next start` under test (NODE_OPTIONS=--require …). When the server exits, it
// writes to OBS_TEST_LOADED_MODULES what its request thread had loaded, so that a test can tell
// which SDKs a configuration really loads:
//   files   every CommonJS file in require.cache (node_modules, and Turbopack's chunks: a package
//           behind an `import()` gets its own, named after it, e.g. node_modules_posthog-node_…)
//   sentry  whether Sentry's global carrier holds scopes: Sentry is bundled into shared chunks
//           whose names do not show it, but it creates this carrier once it runs.
const { isMainThread } = require('node:worker_threads')
const out = process.env.OBS_TEST_LOADED_MODULES
if (isMainThread && out) {
  process.on('exit', () => {
    const carrier = globalThis.__SENTRY__
    const sentry = carrier ? Object.values(carrier).some((v) => v && typeof v === 'object' && 'stack' in v) : false
    require('node:fs').writeFileSync(out, JSON.stringify({ files: Object.keys(require.cache), sentry }))
  })
}
