import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** One stream of load: a resident id (or `{ prefix, count }` to take turns), texts, and client addresses. */
/** The `p`th percentile of ascending `sorted` values (nearest rank). */
export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!

export interface LoadStream {
  name: string
  connections: number
  userId: string | { prefix: string; count: number }
  texts: string[]
  /** Requests per second across the stream's connections; as fast as answers come without it. */
  rate?: number
  /** Sent as X-Forwarded-For (with TRUST_PROXY on the server): each request from one of these addresses. */
  forwardedFor?: string | { prefix: string; count: number }
}

export interface LoadResult {
  name: string
  requests: number
  p50: number
  p99: number
  non2xx: number
  errors: number
  statusCodes: Record<string, number>
}

/** Runs the streams at once against `url` from a second process (autocannon), for `seconds`. */
export function runLoad(url: string, seconds: number, streams: LoadStream[]): Promise<LoadResult[]> {
  return new Promise((resolve, reject) => {
    const load = fork(fileURLToPath(new URL('./bench-load.mjs', import.meta.url)), { execArgv: [] })
    load.once('message', (results) => resolve(results as LoadResult[]))
    load.once('error', reject)
    load.send({ url, seconds, streams })
  })
}
