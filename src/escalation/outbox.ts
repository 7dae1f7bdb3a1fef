import { randomUUID } from 'node:crypto'
import type { Clock } from '../core/clock'
import type { OutboundReply } from '../core/context'
import type { Logger } from '../core/logger'
import type { OutboxItem, OutboxRepository } from '../store/types'

/** What a channel says about one delivery; a thrown error counts as a passing failure, retried later. */
export type DeliveryResult = { status: 'sent' } | { status: 'unreachable'; reason: string } | { status: 'retry'; afterMs: number; reason: string }

/** The sending side of a channel adapter, as the outbox sees it. */
export interface ChannelSender {
  /** `audience` lets a channel without buttons show staff the commands, and residents a numbered list. */
  send(recipient: string, reply: OutboundReply, audience: OutboxItem['audience']): Promise<DeliveryResult>
}

export const OUTBOX_DEFAULTS = {
  /** After this many failed attempts an item is given up (status failed) and logged. */
  maxAttempts: 8,
  /** Backoff after a failure: base × 2^(attempt-1), capped. */
  backoffBaseMs: 5_000,
  backoffMaxMs: 15 * 60_000,
  /** How often the dispatcher looks for due items when nothing wakes it. */
  pollIntervalMs: 5_000,
}

export type NewOutboxItem = Pick<OutboxItem, 'channel' | 'recipient' | 'text' | 'choices' | 'ticketId' | 'audience'>

/**
 * Delivers what is in the outbox on the channels registered with it. An item is stored before any attempt,
 * so a crash never loses one; a channel that is not running (yet) leaves its items pending.
 */
export class OutboxDispatcher {
  readonly #outbox: OutboxRepository
  readonly #clock: Clock
  readonly #logger: Logger
  readonly #options: typeof OUTBOX_DEFAULTS
  readonly #senders = new Map<string, ChannelSender>()
  readonly #onDelivered: ((item: OutboxItem) => Promise<void>)[] = []
  #draining: Promise<void> | null = null
  #again = false
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
  onDelivered(listener: (item: OutboxItem) => Promise<void>): void {
    this.#onDelivered.push(listener)
  }

  async enqueue(item: NewOutboxItem): Promise<OutboxItem> {
    const now = this.#clock.now().toISOString()
    const stored: OutboxItem = { ...item, id: randomUUID(), status: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now }
    await this.#outbox.add(stored)
    void this.drain()
    return stored
  }

  /** Delivers every due item once; concurrent calls share one pass (and ask for another after it). */
  drain(): Promise<void> {
    if (this.#draining) {
      this.#again = true
      return this.#draining
    }
    this.#draining = (async () => {
      do {
        this.#again = false
        for (const item of await this.#outbox.due(this.#clock.now())) await this.#deliver(item)
      } while (this.#again)
    })()
      .catch((error: unknown) => this.#logger.error({ err: error }, 'outbox: drain failed'))
      .finally(() => { this.#draining = null })
    return this.#draining
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
    for (const listener of this.#onDelivered) await listener(item)
  }

  async #deliver(item: OutboxItem): Promise<void> {
    const sender = this.#senders.get(item.channel)
    if (!sender) return
    const attempts = item.attempts + 1
    let result: DeliveryResult
    try {
      result = await sender.send(item.recipient, { text: item.text, ...(item.choices ? { choices: item.choices } : {}) }, item.audience)
    } catch (error) {
      result = { status: 'retry', afterMs: 0, reason: (error as Error).message }
    }
    const now = this.#clock.now()
    if (result.status === 'sent') return this.#sent(item, attempts, now.toISOString())
    if (result.status === 'unreachable' || attempts >= this.#options.maxAttempts) {
      this.#logger.warn({ item: item.id, channel: item.channel, ticket: item.ticketId, reason: result.reason }, 'outbox: delivery given up')
      await this.#outbox.update(item.id, { status: 'failed', attempts, lastError: result.reason, sentAt: now.toISOString() })
      return
    }
    const backoff = Math.min(this.#options.backoffBaseMs * 2 ** (attempts - 1), this.#options.backoffMaxMs)
    const wait = Math.max(backoff, result.afterMs)
    await this.#outbox.update(item.id, { attempts, lastError: result.reason, nextAttemptAt: new Date(now.getTime() + wait).toISOString() })
  }
}
