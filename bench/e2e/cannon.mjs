// One autocannon run, for `durationS` seconds or `amount` requests (`requests`: autocannon's
// request list, e.g. every route mixed for a warm-up). autocannon stops itself; the guard only
// covers it hanging.

import autocannon from 'autocannon'

export function runCannon({ url, headers, connections, durationS, amount, requests, timeoutS = 10 }) {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url, headers, requests, connections, ...(amount ? { amount } : { duration: durationS }), timeout: timeoutS }, (err, res) => {
      clearTimeout(guard)
      if (err) reject(err)
      else resolve(res)
    })
    const guard = setTimeout(() => instance.stop(), ((amount ? amount / 100 : durationS) + 30) * 1000)
  })
}
