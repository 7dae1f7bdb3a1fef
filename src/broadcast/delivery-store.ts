import path from 'node:path'
import { countDeliveries, DeliveryLog, type DeliveryCounts, type DeliveryRecord, type PlannedDelivery } from './delivery-log'

/**
 * The deliveries of every broadcast: planned once, claimed in batches by whichever instance sends, each change
 * stored before the send goes on. lowdb keeps them as files of one process; PostgreSQL as a table every instance
 * claims from (`FOR UPDATE SKIP LOCKED` with a lease), so each delivery goes to one instance.
 */
export interface DeliveryStore {
  /** Stores the recipients. Planning a notice again never adds a recipient twice nor resets a delivery under way. */
  writePlan(noticeId: string, planned: readonly PlannedDelivery[]): Promise<void>
  /**
   * Up to `limit` deliveries for this instance to send now (queued, or retry with its wait over), in sending order;
   * held for it until `leaseMs` from `now`. A delivery left `sending` by a dead instance (its lease over) is settled
   * first: sent again on a channel that `deliversOnce`, sent-unknown (never sent again) on the others.
   */
  claim(noticeId: string, now: Date, limit: number, leaseMs: number, deliversOnce: (channel: string) => boolean): Promise<DeliveryRecord[]>
  /**
   * Stores a claimed record's state (state, attempts, reason, at); `heldUntil` keeps it this instance's until then.
   * Going `sending` is refused (false, nothing stored) when the claim is no longer this instance's: its lease ended
   * and another instance took the delivery, which then sends it instead.
   */
  record(noticeId: string, record: DeliveryRecord, heldUntil?: Date): Promise<boolean>
  /** Gives back what this instance claimed and did not settle (a stopped run, a channel gone), for any instance to take. */
  release(noticeId: string): Promise<void>
  /** Every delivery of the notice counted by state, whichever instance sent it. */
  counts(noticeId: string, now: Date): Promise<DeliveryCounts>
}

export const INTERRUPTED = 'interrupted while sending'

interface OpenBook {
  log: DeliveryLog
  records: DeliveryRecord[]
  /** The place of the next record not claimed yet. */
  next: number
}

/** `DATA_DIR/broadcasts/<noticeId>/`, one process: a claim hands out the records of the log loaded in memory. */
export class LowdbDeliveryStore implements DeliveryStore {
  readonly #dir: string
  /** Broadcasts being sent by this process, loaded once per run. */
  readonly #open = new Map<string, Promise<OpenBook>>()

  constructor(dataDir: string) {
    this.#dir = path.join(dataDir, 'broadcasts')
  }

  async writePlan(noticeId: string, planned: readonly PlannedDelivery[]): Promise<void> {
    this.#open.delete(noticeId)
    // One process plans a notice once; a plan a crash interrupted is replaced whole.
    await new DeliveryLog(this.#dir, noticeId).writePlan(planned)
  }

  async claim(noticeId: string, now: Date, limit: number, _leaseMs: number, deliversOnce: (channel: string) => boolean): Promise<DeliveryRecord[]> {
    const book = await this.#book(noticeId, now, deliversOnce)
    const claimed: DeliveryRecord[] = []
    while (book.next < book.records.length && claimed.length < limit) {
      const record = book.records[book.next++]!
      if (record.state === 'queued' || record.state === 'retry') claimed.push(record)
    }
    return claimed
  }

  async record(noticeId: string, record: DeliveryRecord): Promise<boolean> {
    const { log } = await this.#book(noticeId, new Date(), () => false)
    if (record.state === 'queued' || record.state === 'skipped') return true
    await log.record({ i: record.i, s: record.state, at: record.at!, n: record.attempts, ...(record.reason ? { reason: record.reason } : {}) })
    return true
  }

  async release(noticeId: string): Promise<void> {
    this.#open.delete(noticeId)
  }

  async counts(noticeId: string): Promise<DeliveryCounts> {
    const open = this.#open.get(noticeId)
    if (open) return countDeliveries((await open).records)
    const counts = countDeliveries(await new DeliveryLog(this.#dir, noticeId).load())
    // Not being sent here: a "sending" on disk was interrupted mid-request, which is sent-unknown.
    counts.unknown += counts.sending
    counts.sending = 0
    return counts
  }

  #book(noticeId: string, now: Date, deliversOnce: (channel: string) => boolean): Promise<OpenBook> {
    let book = this.#open.get(noticeId)
    if (!book) this.#open.set(noticeId, (book = this.#load(noticeId, now, deliversOnce)))
    return book
  }

  async #load(noticeId: string, now: Date, deliversOnce: (channel: string) => boolean): Promise<OpenBook> {
    const log = new DeliveryLog(this.#dir, noticeId)
    const records = await log.load()
    // "sending" left by a crash: the request may have gone out. Sent again where the channel delivers it once,
    // settled as sent-unknown (never sent again) elsewhere.
    for (const record of records) {
      if (record.state !== 'sending') continue
      record.state = deliversOnce(record.channel) ? 'retry' : 'unknown'
      record.reason = INTERRUPTED
      await log.record({ i: record.i, s: record.state, at: now.toISOString(), n: record.attempts, reason: record.reason })
    }
    return { log, records, next: 0 }
  }
}
