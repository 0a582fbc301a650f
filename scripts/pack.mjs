// `npm run pack`: builds the kit (lib/observability) and writes its npm tarball into .packs/.
// The last line of output is the tarball's absolute path, for scripts: `npm install "$(npm run -s pack | tail -1)"`.
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const kit = join(root, 'lib/observability')
const out = join(root, '.packs')

execFileSync(process.execPath, [join(kit, 'build.mjs'), '--if-stale'], { stdio: 'inherit' })
mkdirSync(out, { recursive: true })
const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: kit, encoding: 'utf8' }))
console.log(`${packed.name}@${packed.version}: ${packed.entryCount} files, ${(packed.size / 1024).toFixed(0)} KiB packed`)
console.log(join(out, packed.filename))
