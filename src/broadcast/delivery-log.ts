import { rm } from 'node:fs/promises'
import path from 'node:path'
import type { Locale } from '../knowledge/schemas'
import { PartitionedLog } from '../store/lowdb/partitioned-log'

export const SKIP_REASONS = ['unsubscribed', 'blocked', 'no_channel', 'linked'] as const
export type SkipReason = (typeof SKIP_REASONS)[number]

/** One recipient of a broadcast, fixed when it is planned. `i` is its place in the sending order. */
export interface PlannedDelivery {
  i: number
  key: string
  channel: string
  /** The platform's id of the resident. */
  to: string
  locale: Locale
  skip?: SkipReason
}

/** What happened to one delivery; the last event of a recipient is its state. */
export interface DeliveryEvent {
  i: number
  s: 'sending' | 'sent' | 'unknown' | 'failed' | 'retry'
  at: string
  /** Attempts so far. */
  n: number
  reason?: string
}

/**
 * queued: not tried yet; sending: on the wire, outcome not recorded yet (found after a crash: settled as unknown);
 * retry: proven not delivered (rate limit, passing failure), tried again; unknown (sent-unknown): the request went
 * out and nothing says whether it arrived, never resent; sent / failed: final; skipped: never sent (see `skip`).
 */
export type DeliveryState = 'queued' | 'sending' | 'retry' | 'sent' | 'unknown' | 'failed' | 'skipped'

export interface DeliveryRecord extends PlannedDelivery {
  state: DeliveryState
  attempts: number
  reason?: string
  at?: string
}

export interface DeliveryCounts {
  total: number
  queued: number
  sending: number
  retry: number
  sent: number
  /** Sent-unknown: may have arrived, not resent. */
  unknown: number
  failed: number
  /** Not settled yet: queued or to be retried. */
  waiting: number
  skipped: Record<SkipReason, number>
}

export const emptyCounts = (): DeliveryCounts => ({
  total: 0, queued: 0, sending: 0, retry: 0, sent: 0, unknown: 0, failed: 0, waiting: 0,
  skipped: Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReason, number>,
})

export function countDeliveries(records: Iterable<DeliveryRecord>): DeliveryCounts {
  const counts = emptyCounts()
  for (const record of records) {
    counts.total += 1
    if (record.state === 'skipped') counts.skipped[record.skip ?? 'unsubscribed'] += 1
    else counts[record.state] += 1
  }
  counts.waiting = counts.queued + counts.retry
  return counts
}

export const DELIVERY_LOG_DEFAULTS = {
  /** Recipients and events per part file: a write rewrites at most this many small items. */
  maxItemsPerFile: 500,
}

/**
 * The delivery records of one broadcast, `DATA_DIR/broadcasts/<noticeId>/`: the planned recipients
 * (`recipients/`, written once) and an append-only log of delivery events (`deliveries/`), both in parts of
 * bounded size, so a 100,000-recipient broadcast never rewrites one big file. A record's state is its last event.
 */
export class DeliveryLog {
  readonly #dir: string
  #log: PartitionedLog<PlannedDelivery | DeliveryEvent>

  constructor(broadcastsDir: string, noticeId: string) {
    this.#dir = path.join(broadcastsDir, noticeId)
    this.#log = this.#open()
  }

  /** Removes whatever a planning interrupted by a crash left, then writes the recipients. */
  async writePlan(planned: readonly PlannedDelivery[]): Promise<void> {
    await rm(this.#dir, { recursive: true, force: true })
    this.#log = this.#open()
    const chunk = DELIVERY_LOG_DEFAULTS.maxItemsPerFile
    // One chunk at a time: the appends of a chunk coalesce into a write or two of its part file.
    for (let start = 0; start < planned.length; start += chunk) {
      await Promise.all(planned.slice(start, start + chunk).map((p) => this.#log.append('recipients', p)))
    }
  }

  /** Resolves once the event is on disk. */
  record(event: DeliveryEvent): Promise<void> {
    return this.#log.append('deliveries', event)
  }

  /** Every recipient with its state, in sending order. */
  async load(): Promise<DeliveryRecord[]> {
    const planned = (await this.#log.read('recipients')) as PlannedDelivery[]
    const records: DeliveryRecord[] = new Array(planned.length)
    for (const p of planned) records[p.i] = { ...p, state: p.skip ? 'skipped' : 'queued', attempts: 0 }
    for (const event of (await this.#log.read('deliveries')) as DeliveryEvent[]) {
      const record = records[event.i]
      if (!record) continue
      record.state = event.s
      record.attempts = event.n
      record.at = event.at
      record.reason = event.reason
    }
    return records
  }

  #open() {
    return new PartitionedLog<PlannedDelivery | DeliveryEvent>(this.#dir, { maxItemsPerFile: DELIVERY_LOG_DEFAULTS.maxItemsPerFile })
  }
}
