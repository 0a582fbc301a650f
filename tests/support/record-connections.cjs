// Preloaded with `node --require` into a process under test: appends the host of every outgoing
// TCP connection (fetch, http, tls all end in net.Socket#connect) to the file named by
// OBS_CONNECTIONS_LOG, one per line, so a test can prove a build contacted this machine only.
const { appendFileSync } = require('node:fs')
const net = require('node:net')

const log = process.env.OBS_CONNECTIONS_LOG
if (log) {
  const connect = net.Socket.prototype.connect
  net.Socket.prototype.connect = function (...args) {
    try {
      const first = args[0]
      const options = Array.isArray(first) ? first[0] : first
      const host =
        typeof options === 'object' && options !== null
          ? options.path
            ? `unix:${options.path}`
            : (options.host ?? 'localhost')
          : typeof args[1] === 'string'
            ? args[1]
            : 'localhost'
      appendFileSync(log, `${host}\n`)
    } catch {
      // Recording must never change what the process does.
    }
    return connect.apply(this, args)
  }
}
