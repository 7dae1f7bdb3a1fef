// Load generator for `npm run bench`, forked as its own process so it does not share the server's event loop
// (autocannon misbehaves inside a worker thread). Plain JavaScript: it needs no TypeScript loader.
import autocannon from 'autocannon'

const { url, questions, seconds, connections } = await new Promise((resolve) => process.once('message', resolve))
let next = 0
const result = await autocannon({
  url: `${url}/api/chat`,
  method: 'POST',
  duration: seconds,
  connections,
  headers: { 'content-type': 'application/json' },
  requests: [
    {
      setupRequest: (request) => {
        next += 1
        return { ...request, body: JSON.stringify({ userId: `bench-${next % 500}`, text: questions[next % questions.length] }) }
      },
    },
  ],
})
process.send({
  requests: result.requests.total,
  p50: result.latency.p50,
  p99: result.latency.p99,
  non2xx: result.non2xx,
  errors: result.errors,
})
process.disconnect()
