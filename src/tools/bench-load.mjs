// Load generator for `npm run bench`, forked as its own process so it does not share the server's event loop
// (autocannon misbehaves inside a worker thread). Plain JavaScript: it needs no TypeScript loader.
// It runs several streams of POST /api/chat at once, each with its own residents, texts and client addresses.
import autocannon from 'autocannon'

const { url, seconds, streams } = await new Promise((resolve) => process.once('message', resolve))

/** A fixed value, or `{ prefix, count }`: prefix + 0 … count-1 in turn. */
const pick = (spec, n) => (typeof spec === 'string' ? spec : `${spec.prefix}${n % spec.count}`)

function run(stream) {
  let next = 0
  return autocannon({
    url: `${url}/api/chat`,
    method: 'POST',
    duration: seconds,
    connections: stream.connections,
    // A flood offered at a fixed rate, whatever the answers cost: the same load with the limits on and off.
    ...(stream.rate ? { overallRate: stream.rate } : {}),
    requests: [
      {
        setupRequest: (request) => {
          next += 1
          const forwarded = stream.forwardedFor ? { 'x-forwarded-for': pick(stream.forwardedFor, next) } : {}
          return {
            ...request,
            headers: { 'content-type': 'application/json', ...forwarded },
            body: JSON.stringify({ userId: pick(stream.userId, next), text: stream.texts[next % stream.texts.length] }),
          }
        },
      },
    ],
  })
}

const results = await Promise.all(streams.map(run))
process.send(results.map((result, index) => ({
  name: streams[index].name,
  requests: result.requests.total,
  p50: result.latency.p50,
  p99: result.latency.p99,
  non2xx: result.non2xx,
  errors: result.errors,
  statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stats]) => [code, stats.count])),
})))
process.disconnect()
