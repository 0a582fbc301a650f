import { FILTERED } from './scrub.js'

/**
 * Text the app sent to a third party (an LLM prompt), remembered on the error that call threw, so
 * that a provider error quoting the prompt ("Invalid content: 'my SSN is …'") does not carry it
 * to PostHog or Sentry when `POSTHOG_LLM_PAYLOADS` is off. Any run of at least `MIN_RUN`
 * characters of the prompt, raw or JSON-escaped as providers echo it, is removed from every
 * message and stack of the error's chain.
 *
 * Held on the error object itself (a non-enumerable symbol), not in module state: it lives and
 * dies with the error, and whichever runtime module instance reports it finds it.
 */

const SENT = Symbol.for('observability.sentText')
/** Shorter runs are too likely to be ordinary words shared by prompt and message. */
export const MIN_RUN = 12
/** Prompt characters indexed per error; longer prompts are indexed at both ends. */
const MAX_INDEXED = 1_000_000

export interface SentText {
  readonly grams: ReadonlySet<number>
}

/** Remembers `input` (a prompt string, messages, or any JSON-like value) on `thrown`. */
export function rememberSentText(thrown: unknown, input: unknown): void {
  if (!thrown || typeof thrown !== 'object' || input === undefined) return
  const texts = stringsOf(input)
  if (texts.length === 0) return
  try {
    let grams: Set<number> | undefined
    Object.defineProperty(thrown, SENT, {
      configurable: true,
      enumerable: false,
      // Indexed on first use: most errors are never reported.
      get: (): SentText => ({ grams: (grams ??= index(texts)) }),
    })
  } catch {
    // A frozen error keeps its message; the key and pattern rules still apply to it.
  }
}

/** What was remembered anywhere along `thrown`'s chain (`cause`, and the AI SDK's `lastError`). */
export function sentTextOf(thrown: unknown): SentText[] {
  const found: SentText[] = []
  let e: unknown = thrown
  for (let i = 0; i < 6 && e && typeof e === 'object'; i++) {
    const sent = (e as Record<symbol, SentText | undefined>)[SENT]
    if (sent) found.push(sent)
    const x = e as { cause?: unknown; lastError?: unknown }
    e = x.cause ?? x.lastError
  }
  return found
}

/** `text` with every run of at least `MIN_RUN` characters found in the sent text replaced by `[Filtered]`. */
export function removeSentText(text: string, sent: readonly SentText[]): string {
  if (sent.length === 0 || text.length < MIN_RUN) return text
  const covered = new Uint8Array(text.length)
  let any = false
  forEachGram(text, (hash, start) => {
    if (sent.some((s) => s.grams.has(hash))) {
      covered.fill(1, start, start + MIN_RUN)
      any = true
    }
  })
  if (!any) return text
  let out = ''
  for (let i = 0; i < text.length; i++) {
    if (!covered[i]) out += text[i]
    else if (i === 0 || !covered[i - 1]) out += FILTERED
  }
  return out
}

function index(texts: string[]): Set<number> {
  const grams = new Set<number>()
  let budget = MAX_INDEXED
  for (const text of texts) {
    for (const variant of [text, JSON.stringify(text).slice(1, -1)]) {
      const part = variant.length > budget ? variant.slice(0, budget / 2) + '\u0000' + variant.slice(-budget / 2) : variant
      budget -= part.length
      forEachGram(part, (hash) => void grams.add(hash))
      if (budget <= 0) return grams
    }
  }
  return grams
}

const P1 = 2_147_483_629
const P2 = 2_147_483_587
const B = 131

/**
 * Calls `visit` with a 52-bit hash of every `MIN_RUN`-character window (two rolling polynomial
 * hashes, so a false match between a message and a prompt is vanishingly rare).
 */
function forEachGram(text: string, visit: (hash: number, start: number) => void): void {
  if (text.length < MIN_RUN) return
  let pow1 = 1
  let pow2 = 1
  for (let i = 1; i < MIN_RUN; i++) {
    pow1 = (pow1 * B) % P1
    pow2 = (pow2 * B) % P2
  }
  let h1 = 0
  let h2 = 0
  for (let i = 0; i < text.length; i++) {
    if (i >= MIN_RUN) {
      const out = text.charCodeAt(i - MIN_RUN)
      h1 = (h1 - ((out * pow1) % P1) + P1) % P1
      h2 = (h2 - ((out * pow2) % P2) + P2) % P2
    }
    const c = text.charCodeAt(i)
    h1 = (h1 * B + c) % P1
    h2 = (h2 * B + c) % P2
    if (i >= MIN_RUN - 1) visit(h1 * 2_097_152 + (h2 % 2_097_152), i - MIN_RUN + 1)
  }
}

function stringsOf(input: unknown): string[] {
  const out: string[] = []
  const seen = new WeakSet<object>()
  const walk = (v: unknown, depth: number) => {
    if (typeof v === 'string') {
      if (v.length >= MIN_RUN) out.push(v)
      return
    }
    if (!v || typeof v !== 'object' || depth > 8 || seen.has(v)) return
    seen.add(v)
    for (const child of Array.isArray(v) ? v : Object.values(v)) walk(child, depth + 1)
  }
  walk(input, 0)
  return out
}
