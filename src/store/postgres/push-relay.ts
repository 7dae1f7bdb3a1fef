import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import type { Logger } from '../../core/logger'
import type { WebEntry, WebHistoryRepository, WebPushListener } from '../types'
import { LISTEN_DEFAULTS, listenForNotifications } from './notify-listener'

const CHANNEL = 'anju_web_pushes'
/** NOTIFY takes 8,000 bytes at most: entries larger than this go as their seqs, read again from the history. */
export const MAX_PUSH_PAYLOAD_BYTES = 7_000

interface RelayedPush {
  from: string
  /** NOTIFY reaches the whole database: deployments in other schemas ignore it. */
  schema: string
  residentId: string
  entries?: readonly WebEntry[]
  seqs?: number[]
}

/**
 * Web pushes published on any instance reach the open pages on every instance: the entries (stored in the shared
 * history first) are announced with `pg_notify`, and every other instance hands them to `deliver`, its own
 * streams. A page whose instance missed a notification (its listening connection was down) finds the entries
 * when it reconnects, in the history.
 */
export function relayWebPushes(
  pool: pg.Pool, schema: string, history: WebHistoryRepository, deliver: WebPushListener, logger: Logger, options = LISTEN_DEFAULTS,
): {
  announce: WebPushListener
  close(): Promise<void>
} {
  const instance = randomUUID()

  const announce: WebPushListener = (residentId, entries) => {
    let payload = JSON.stringify({ from: instance, schema, residentId, entries } satisfies RelayedPush)
    if (Buffer.byteLength(payload) > MAX_PUSH_PAYLOAD_BYTES) payload = JSON.stringify({ from: instance, schema, residentId, seqs: entries.map((e) => e.seq) } satisfies RelayedPush)
    pool.query('SELECT pg_notify($1, $2)', [CHANNEL, payload])
      .catch((error: unknown) => logger.warn({ err: error }, 'push relay: could not publish'))
  }

  const receive = async (payload: string) => {
    const relayed = JSON.parse(payload) as RelayedPush
    if (relayed.from === instance || relayed.schema !== schema) return
    let entries = relayed.entries
    if (!entries) {
      const seqs = new Set(relayed.seqs)
      entries = (await history.read(relayed.residentId)).entries.filter((entry) => seqs.has(entry.seq))
    }
    if (entries.length) deliver(relayed.residentId, entries)
  }
  return { announce, ...listenForNotifications(pool, CHANNEL, receive, logger, options) }
}
