// Load generator for `npm run bench`, in a worker thread so it does not share the server's event loop.
import { parentPort, workerData } from 'node:worker_threads'
import autocannon from 'autocannon'

const { url, questions, seconds, connections } = workerData as { url: string; questions: string[]; seconds: number; connections: number }
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
        const text = questions[next++ % questions.length]!
        return { ...request, body: JSON.stringify({ userId: `bench-${next % 500}`, text }) }
      },
    },
  ],
})
parentPort!.postMessage({
  requests: result.requests.total,
  p50: result.latency.p50,
  p99: result.latency.p99,
  non2xx: result.non2xx,
  errors: result.errors,
})
