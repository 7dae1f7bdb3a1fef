import type { ServerResponse } from 'node:http'
import type { WebEntry } from '../../../src/store/types'

export const PUSH_DEFAULTS = {
  /** A comment line this often keeps proxies and phone networks from closing a quiet stream. */
  heartbeatMs: 25_000,
  /** Open pages per resident (tabs, phones); the oldest stream is closed beyond it. */
  maxStreamsPerResident: 4,
  /** What the browser waits before reconnecting a dropped stream. */
  retryMs: 5_000,
}

/** One server-sent event: the entry's seq is its id, so a reconnecting browser says where it stopped. */
export const entryEvent = (entry: WebEntry) => `id: ${entry.seq}\nevent: entry\ndata: ${JSON.stringify(entry)}\n\n`

/**
 * The open pages of web residents, as server-sent event streams: what is delivered to a resident while a page
 * is open appears there at once. A closed page misses nothing: the entry is in the resident's history first.
 */
export class WebPushHub {
  readonly #streams = new Map<string, ServerResponse[]>()
  readonly #options: typeof PUSH_DEFAULTS
  #heartbeat?: NodeJS.Timeout

  constructor(options: Partial<typeof PUSH_DEFAULTS> = {}) {
    this.#options = { ...PUSH_DEFAULTS, ...options }
  }

  get retryMs(): number {
    return this.#options.retryMs
  }

  /** Adds a stream; the returned function removes it (call it when the connection closes). */
  subscribe(residentId: string, stream: ServerResponse): () => void {
    const streams = this.#streams.get(residentId) ?? []
    streams.push(stream)
    this.#streams.set(residentId, streams)
    while (streams.length > this.#options.maxStreamsPerResident) streams.shift()!.end()
    this.#startHeartbeat()
    return () => {
      const current = this.#streams.get(residentId)
      if (!current) return
      const left = current.filter((s) => s !== stream)
      if (left.length) this.#streams.set(residentId, left)
      else this.#streams.delete(residentId)
    }
  }

  publish(residentId: string, entries: readonly WebEntry[]): void {
    const streams = this.#streams.get(residentId)
    if (!streams) return
    const events = entries.map(entryEvent).join('')
    for (const stream of streams) stream.write(events)
  }

  /** Ends every stream (server shutdown: otherwise closing waits for them). */
  closeAll(): void {
    clearInterval(this.#heartbeat)
    this.#heartbeat = undefined
    for (const streams of this.#streams.values()) for (const stream of streams) stream.end()
    this.#streams.clear()
  }

  #startHeartbeat(): void {
    if (this.#heartbeat) return
    this.#heartbeat = setInterval(() => {
      for (const streams of this.#streams.values()) for (const stream of streams) stream.write(': ping\n\n')
    }, this.#options.heartbeatMs)
    this.#heartbeat.unref()
  }
}
