// Small numeric and text-table helpers for the benchmark report.

export function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b)
  if (!v.length) return NaN
  const mid = Math.floor(v.length / 2)
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2
}

/** The `p`-quantile of `values` (0: the smallest, 0.5: the median), interpolated between ranks. */
export function quantile(values, p) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b)
  if (!v.length) return NaN
  const i = (v.length - 1) * p
  const lo = Math.floor(i)
  return v[lo] + (v[Math.ceil(i)] - v[lo]) * (i - lo)
}

export function fmt(value, digits = 1) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—'
  return value.toFixed(digits)
}

export function fmtBytes(n) {
  if (!Number.isFinite(n)) return '—'
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${(n / 1024 / 1024).toFixed(2)} MiB`
}

/** Renders rows (arrays of strings) under a header, columns padded; numbers right-aligned. */
export function table(header, rows, { indent = '  ' } = {}) {
  const all = [header, ...rows].map((r) => r.map((c) => String(c)))
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)))
  const line = (r) => indent + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
  return [line(all[0]), indent + widths.map((w) => '─'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n')
}

/**
 * A distribution-free confidence interval for the median of `values`: the k-th smallest and k-th
 * largest, with k the largest rank whose binomial tail P(X < k), X ~ Bin(n, ½), is ≤ (1 − level)/2.
 * Returns `{ lo, hi, level }` (level: the actual coverage, ≥ the requested one), or NaNs for n < 6,
 * where no such interval reaches 95 %.
 */
export function medianCI(values, level = 0.95) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b)
  const n = v.length
  let tail = 0 // P(X ≤ k − 1)
  let coef = 1 // C(n, k − 1)
  let k = 0
  for (let r = 0; r < n; r++) {
    const next = tail + coef / 2 ** n
    if (next > (1 - level) / 2) break
    tail = next
    coef = (coef * (n - r)) / (r + 1)
    k = r + 1
  }
  if (k < 1) return { lo: NaN, hi: NaN, level: NaN }
  return { lo: v[k - 1], hi: v[n - k], level: 1 - 2 * tail }
}

/** (max − min) / median of `values`: how far repetitions of one measurement disagree. */
export function spread(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x))
  if (!v.length) return NaN
  return (Math.max(...v) - Math.min(...v)) / Math.abs(median(v))
}
