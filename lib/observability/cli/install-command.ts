import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { PACKAGE_NAME } from './imports.js'

/** The package managers whose install command `init` prints. */
export type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun'

const LOCKFILES: Array<[string, PackageManager]> = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['bun.lock', 'bun'],
  ['bun.lockb', 'bun'],
  ['package-lock.json', 'npm'],
]

/** The app's package manager, from its lockfile, else `packageManager` in package.json, else npm. */
export function detectPackageManager(root: string, packageManagerField?: unknown): PackageManager {
  for (const [file, manager] of LOCKFILES) if (existsSync(join(root, file))) return manager
  if (typeof packageManagerField === 'string') {
    const name = packageManagerField.split('@')[0]
    if (name === 'pnpm' || name === 'yarn' || name === 'bun' || name === 'npm') return name
  }
  return 'npm'
}

/** The one command that installs the kit with that package manager. */
export function installCommand(manager: PackageManager): string {
  return manager === 'npm' ? `npm install ${PACKAGE_NAME}` : `${manager} add ${PACKAGE_NAME}`
}
