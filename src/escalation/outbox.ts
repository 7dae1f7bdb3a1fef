import { randomUUID } from 'node:crypto'
import type { Clock } from '../core/clock'
import type { Logger } from '../core/logger'
import { RecentMap } from '../core/recent-map'
import type { ChannelSender, DeliveryResult } from '../delivery/types'
import type { OutboxItem, OutboxRepository } from '../store/types'

export type { ChannelSender, DeliveryResult } from '../delivery/types'

/** What became of the outbox's deliveries in this process: final failures are counted, never silent. */
export interface OutboxStats {
  sent: number
  held: number
  failed: number
  retried: number
}

export const OUTBOX_DEFAULTS = {
  /** After this many passes that could not deliver (each one the channel queue's own retries), an item is given up (failed) and logged. */
  maxAttempts: 8,
  /** Backoff after a failure: base × 2^(attempt-1), capped. */
  backoffBaseMs: 5_000,
  backoffMaxMs: 15 * 60_000,
  /** How often the dispatcher looks for due items when nothing wakes it. */
  pollIntervalMs: 5_000,
  /**
   * How long an item claimed by this instance stays out of other instances' reach: longer than a delivery with the
   * channel queue's own retries takes. Only an item whose instance died mid-delivery waits it out (and may arrive twice).
   */
  claimLeaseMs: 10 * 60_000,
}

export type NewOutboxItem = Pick<OutboxItem, 'channel' | 'recipient' | 'text' | 'choices' | 'ticketId' | 'audience'>

type Listener = (item: OutboxItem) => Promise<void>

/**
 * Delivers what is in the outbox on the channels registered with it. An item is stored before any attempt, so a
 * crash never loses one; a channel that is not running (yet) leaves its items pending. Items go to their channel's
 * queue side by side (the queue keeps each chat's order and holds), so one held recipient never delays the rest.
 * A resident who cannot be reached (blocked the bot) keeps their items `held` until they come back.
 */
export class OutboxDispatcher {
  readonly #outbox: OutboxRepository
  readonly #clock: Clock
  readonly #logger: Logger
  readonly #options: typeof OUTBOX_DEFAULTS
  readonly #senders = new Map<string, ChannelSender>()
  readonly #listeners = { delivered: [] as Listener[], held: [] as Listener[], failed: [] as Listener[] }
  readonly #inFlight = new Map<string, Promise<void>>()
  /** Items finished here lately: a pass that read the store just before one finished must not start it again. */
  readonly #finished = new RecentMap<string, true>(10_000)
  readonly #stats: OutboxStats = { sent: 0, held: 0, failed: 0, retried: 0 }
  #claiming: Promise<void> = Promise.resolve()
  #timer?: NodeJS.Timeout

  constructor(outbox: OutboxRepository, clock: Clock, logger: Logger, options: Partial<typeof OUTBOX_DEFAULTS> = {}) {
    this.#outbox = outbox
    this.#clock = clock
    this.#logger = logger
    this.#options = { ...OUTBOX_DEFAULTS, ...options }
  }

  register(channel: string, sender: ChannelSender): void {
    this.#senders.set(channel, sender)
    void this.drain()
  }

  /** The sender registered for a channel; broadcasts send through the same ones. */
  senderFor(channel: string): ChannelSender | undefined {
    return this.#senders.get(channel)
  }

  /** Called after each delivery (the ticket service records a resident's first answer). */
  onDelivered(listener: Listener): void {
    this.#listeners.delivered.push(listener)
  }

  /** Called when a resident cannot be reached and the item is kept for their return (the caseworker is told). */
  onHeld(listener: Listener): void {
    this.#listeners.held.push(listener)
  }

  /** Called when an item is given up for good (refused by the platform, or out of attempts). */
  onFailed(listener: Listener): void {
    this.#listeners.failed.push(listener)
  }

  stats(): OutboxStats {
    return { ...this.#stats }
  }

  /** Stores the item (under `id` where the caller chose one, so that a recovery can tell whether it was stored), then delivers it. */
  async enqueue(item: NewOutboxItem, id: string = randomUUID()): Promise<OutboxItem> {
    const now = this.#clock.now().toISOString()
    const stored: OutboxItem = { ...item, id, status: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now }
    await this.#outbox.add(stored)
    void this.drain()
    return stored
  }

  /** The id of every item ever stored (pending, held, sent or given up): recoveries after a crash check against it. */
  async storedIds(): Promise<Set<string>> {
    return new Set((await this.#outbox.list()).map((item) => item.id))
  }

  /** Hands every due item to its channel; resolves once the deliveries under way have ended. */
  async drain(): Promise<void> {
    // Claims run one after another: when this one has run, every item claimed before it is in flight and awaited below.
    const claim = this.#claiming.then(() => this.#claimDue())
    this.#claiming = claim
    await claim
    await Promise.all([...this.#inFlight.values()])
  }

  async #claimDue(): Promise<void> {
    try {
      for (const item of await this.#outbox.claimDue(this.#clock.now(), [...this.#senders.keys()], this.#options.claimLeaseMs)) {
        if (this.#inFlight.has(item.id) || this.#finished.get(item.id)) continue
        const delivery = this.#deliver(item)
          .catch((error: unknown) => this.#logger.error({ err: error, item: item.id }, 'outbox: delivery failed'))
          .finally(() => this.#inFlight.delete(item.id))
        this.#inFlight.set(item.id, delivery)
      }
    } catch (error) {
      this.#logger.error({ err: error }, 'outbox: drain failed')
    }
  }

  /** The resident is back (wrote again, unblocked the bot): what was held for them goes out now, in order. */
  async release(channel: string, recipient: string): Promise<void> {
    const held = await this.#outbox.held(channel, recipient)
    if (held.length === 0) return
    const now = this.#clock.now().toISOString()
    for (const item of held) {
      await this.#outbox.update(item.id, { status: 'pending', nextAttemptAt: now })
      this.#finished.delete(item.id)
    }
    this.#logger.info({ channel, items: held.length }, 'outbox: resident is back, delivering what was held')
    void this.drain()
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.drain(), this.#options.pollIntervalMs)
    this.#timer.unref()
    void this.drain()
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  async #sent(item: OutboxItem, attempts: number, at: string): Promise<void> {
    await this.#outbox.update(item.id, { status: 'sent', attempts, sentAt: at })
    this.#stats.sent += 1
    for (const listener of this.#listeners.delivered) await listener(item)
  }

  async #deliver(item: OutboxItem): Promise<void> {
    const sender = this.#senders.get(item.channel)
    if (!sender) return
    const attempts = item.attempts + 1
    let result: DeliveryResult
    try {
      const reply = { text: item.text, ...(item.choices ? { choices: item.choices } : {}), ...(item.ticketId ? { tag: item.ticketId } : {}) }
      result = await sender.send(item.recipient, reply, item.audience, { mode: 'at-least-once', deliveryId: item.id })
    } catch (error) {
      result = { status: 'retry', afterMs: 0, reason: (error as Error).message }
    }
    this.#finished.set(item.id, true)
    const now = this.#clock.now()
    if (result.status === 'sent' || result.status === 'unknown') return this.#sent(item, attempts, now.toISOString())
    if (result.status === 'unreachable' && item.audience === 'resident') {
      // Not given up: kept until the resident writes again, and the caseworker hears it has not arrived.
      await this.#outbox.update(item.id, { status: 'held', attempts, lastError: result.reason })
      this.#stats.held += 1
      this.#logger.info({ item: item.id, channel: item.channel, ticket: item.ticketId, reason: result.reason }, 'outbox: resident unreachable, held until they return')
      for (const listener of this.#listeners.held) await listener({ ...item, status: 'held', lastError: result.reason })
      return
    }
    const reason = result.status === 'cancelled' ? 'cancelled' : result.reason
    if (result.status === 'unreachable' || result.status === 'failed' || attempts >= this.#options.maxAttempts) {
      this.#logger.warn({ item: item.id, channel: item.channel, ticket: item.ticketId, attempts, reason }, 'outbox: delivery given up')
      await this.#outbox.update(item.id, { status: 'failed', attempts, lastError: reason, sentAt: now.toISOString() })
      this.#stats.failed += 1
      for (const listener of this.#listeners.failed) await listener({ ...item, status: 'failed', lastError: reason })
      return
    }
    this.#stats.retried += 1
    const backoff = Math.min(this.#options.backoffBaseMs * 2 ** (attempts - 1), this.#options.backoffMaxMs)
    const wait = Math.max(backoff, result.status === 'retry' ? result.afterMs : 0)
    await this.#outbox.update(item.id, { attempts, lastError: reason, nextAttemptAt: new Date(now.getTime() + wait).toISOString() })
    // Ready for the pass at its time: only the store's nextAttemptAt holds it back now.
    this.#finished.delete(item.id)
  }
}
