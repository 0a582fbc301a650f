import 'server-only'
/**
 * Rebuilds the route pattern (`/api/items/[id]`) from the URL path and the params Next resolved
 * for it, so `endpoint` groups requests by route, not by raw URL (docs/events.md). Replaces from the
 * end of the path, where dynamic segments usually sit, so a static segment that happens to equal
 * a param value stays intact.
 */
export function routePattern(pathname: string, params: Record<string, string | string[] | undefined> | undefined): string {
  const segments = pathname.split('/')
  if (!params) return pathname
  const entries = Object.entries(params).filter((e): e is [string, string | string[]] => e[1] !== undefined)
  // Catch-alls first: they span several segments.
  entries.sort((a, b) => Number(Array.isArray(b[1])) - Number(Array.isArray(a[1])))
  for (const [key, value] of entries) {
    if (Array.isArray(value)) {
      const n = value.length
      if (n === 0) continue
      for (let i = segments.length - n; i >= 1; i--) {
        if (value.every((v, j) => safeDecode(segments[i + j] ?? '') === v)) {
          segments.splice(i, n, `[...${key}]`)
          break
        }
      }
    } else {
      for (let i = segments.length - 1; i >= 1; i--) {
        if (safeDecode(segments[i] ?? '') === value) {
          segments[i] = `[${key}]`
          break
        }
      }
    }
  }
  return segments.join('/') || '/'
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}
