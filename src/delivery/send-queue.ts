import type { OutboundReply } from '../core/context'
import { systemTimer, type Timer } from '../core/clock'
import type { Logger } from '../core/logger'
import type { AttemptOutcome, Audience, ChannelSender, ChannelTransport, DeliveryResult, SendOptions } from './types'

export const SEND_QUEUE_DEFAULTS = {
  /** Requests in flight at once, to different chats: one slow request never stops the others. */
  concurrency: 8,
  /** Least gap between the starts of two requests of the channel (its overall rate). */
  minGapMs: 0,
  /** Least gap between two messages to one chat. */
  perChatGapMs: 0,
  /** A random extra up to this much on each gap, so that the cadence does not look like a machine's. */
  jitterMs: 0,
  /** Attempts at one piece on passing failures (and unknown outcomes when at least once). Rate limits do not count. */
  maxAttempts: 4,
  /** Backoff after a passing failure: base × 2^(attempt-1), capped; a channel that cannot be reached backs off the same way. */
  backoffBaseMs: 1_000,
  backoffMaxMs: 60_000,
  /** A message held longer than this (rate limits, outage) comes back as `retry` for its durable owner to keep. */
  maxWaitMs: 30 * 60_000,
}
export type SendQueueOptions = typeof SEND_QUEUE_DEFAULTS

export interface DeliveryStats {
  sent: number
  unknown: number
  unreachable: number
  failed: number
  /** Given back for later (`retry`) after attempts or waiting ran out. */
  deferred: number
  /** Requests the platform turned away with a rate limit, and passing failures retried. */
  rateLimited: number
  retried: number
}

interface Item<Piece> {
  reply: OutboundReply
  audience: Audience
  options: SendOptions
  pieces?: Piece[]
  /** The next piece to send: a retry resumes here, the pieces before are not sent again. */
  next: number
  attempts: number
  enqueuedAt: number
  resolve: (result: DeliveryResult) => void
}

interface Lane<Piece> {
  chat: string
  items: Item<Piece>[]
  busy: boolean
  holdUntil: number
  lastSentAt: number
  /** The random part of this chat's next gap, drawn once per message. */
  jitter: number
}

export interface SendQueueDeps<Piece> {
  channel: string
  transport: ChannelTransport<Piece>
  logger: Logger
  options?: Partial<SendQueueOptions>
  timer?: Timer
  random?: () => number
  /** The platform says a recipient cannot be reached (blocked the bot): the adapter marks the resident. */
  onUnreachable?: (recipient: string, reason: string) => void
}

/**
 * One send queue per channel. Each chat is a lane: its messages go out in order, piece after piece, and a rate
 * limit or a failure holds that lane only (or the whole channel when the platform says so, or cannot be reached).
 * Lanes run side by side up to `concurrency`; conversations go before bulk notices. Passing failures are retried
 * with bounded backoff from the piece that failed; unknown outcomes are retried only at least once; every final
 * failure is logged with its reason and counted.
 */
export class SendQueue<Piece> implements ChannelSender {
  readonly channel: string
  readonly #transport: ChannelTransport<Piece>
  readonly #logger: Logger
  readonly #o: SendQueueOptions
  readonly #timer: Timer
  readonly #random: () => number
  readonly #onUnreachable?: (recipient: string, reason: string) => void
  readonly #lanes = new Map<string, Lane<Piece>>()
  readonly #waiting = { interactive: new Set<string>(), bulk: new Set<string>() }
  readonly #stats: DeliveryStats = { sent: 0, unknown: 0, unreachable: 0, failed: 0, deferred: 0, rateLimited: 0, retried: 0 }
  #inFlight = 0
  #nextStartAt = Number.NEGATIVE_INFINITY
  #channelHoldUntil = Number.NEGATIVE_INFINITY
  #channelDown = 0
  #wake?: { at: number; cancel: () => void }
  #idleWaiters: (() => void)[] = []

  constructor(deps: SendQueueDeps<Piece>) {
    this.channel = deps.channel
    this.#transport = deps.transport
    this.#logger = deps.logger
    this.#o = { ...SEND_QUEUE_DEFAULTS, ...deps.options }
    this.#timer = deps.timer ?? systemTimer
    this.#random = deps.random ?? Math.random
    this.#onUnreachable = deps.onUnreachable
  }

  /** Queues a reply behind the chat's earlier messages; resolves with how its delivery ended. Never rejects. */
  send(recipient: string, reply: OutboundReply, audience: Audience = 'resident', options: SendOptions = {}): Promise<DeliveryResult> {
    if (options.signal?.aborted) return Promise.resolve({ status: 'cancelled' })
    return new Promise((resolve) => {
      const item: Item<Piece> = { reply, audience, options, next: 0, attempts: 0, enqueuedAt: this.#timer.now(), resolve }
      let lane = this.#lanes.get(recipient)
      if (!lane) this.#lanes.set(recipient, (lane = { chat: recipient, items: [], busy: false, holdUntil: 0, lastSentAt: Number.NEGATIVE_INFINITY, jitter: 0 }))
      lane.items.push(item)
      const owner = lane
      options.signal?.addEventListener('abort', () => this.#cancel(owner, item), { once: true })
      this.#enlist(lane)
      this.#pump()
    })
  }

  /** Counts since start: what was sent, and how the rest ended. */
  stats(): DeliveryStats {
    return { ...this.#stats }
  }

  /** Messages not yet settled, over all chats. */
  get backlog(): number {
    let count = 0
    for (const lane of this.#lanes.values()) count += lane.items.length
    return count
  }

  /** Resolves once nothing is queued or in flight (shutdown, tests). */
  idle(): Promise<void> {
    if (this.backlog === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  #enlist(lane: Lane<Piece>): void {
    const head = lane.items[0]
    if (!head || lane.busy) return
    this.#waiting[head.options.priority ?? 'interactive'].add(lane.chat)
  }

  #cancel(lane: Lane<Piece>, item: Item<Piece>): void {
    const index = lane.items.indexOf(item)
    // The head of a busy lane is on the wire: it ends with the platform's answer.
    if (index < 0 || (index === 0 && lane.busy)) return
    lane.items.splice(index, 1)
    item.resolve({ status: 'cancelled' })
    if (index === 0) this.#relist(lane)
    this.#settled()
  }

  /** Starts every lane that may go now; sets one wake-up for the earliest that may go later. */
  #pump(): void {
    const now = this.#timer.now()
    let wakeAt = Number.POSITIVE_INFINITY
    while (this.#inFlight < this.#o.concurrency) {
      const channelFreeAt = Math.max(this.#channelHoldUntil, this.#nextStartAt)
      if (channelFreeAt > now) {
        if (this.#waiting.interactive.size + this.#waiting.bulk.size > 0) wakeAt = Math.min(wakeAt, channelFreeAt)
        break
      }
      const lane = this.#nextReady(now, (at) => { wakeAt = Math.min(wakeAt, at) })
      if (!lane) break
      this.#start(lane, now)
    }
    this.#scheduleWake(wakeAt)
  }

  #nextReady(now: number, later: (at: number) => void): Lane<Piece> | undefined {
    for (const waiting of [this.#waiting.interactive, this.#waiting.bulk]) {
      for (const chat of waiting) {
        const lane = this.#lanes.get(chat)
        if (!lane || lane.busy || lane.items.length === 0) {
          waiting.delete(chat)
          continue
        }
        const readyAt = Math.max(lane.holdUntil, lane.lastSentAt + this.#o.perChatGapMs + lane.jitter)
        if (readyAt <= now) {
          waiting.delete(chat)
          return lane
        }
        later(readyAt)
      }
    }
    return undefined
  }

  #scheduleWake(at: number): void {
    if (!Number.isFinite(at)) return
    if (this.#wake && this.#wake.at <= at) return
    this.#wake?.cancel()
    const cancel = this.#timer.after(at - this.#timer.now(), () => {
      this.#wake = undefined
      this.#pump()
    })
    this.#wake = { at, cancel }
  }

  #start(lane: Lane<Piece>, now: number): void {
    lane.busy = true
    this.#inFlight += 1
    this.#nextStartAt = now + this.#o.minGapMs + this.#jitter()
    void this.#attempt(lane).finally(() => {
      lane.busy = false
      this.#inFlight -= 1
      this.#relist(lane)
      this.#pump()
    })
  }

  #relist(lane: Lane<Piece>): void {
    if (lane.items.length > 0) this.#enlist(lane)
    // A quiet chat is forgotten once no hold or gap of its own is left to remember.
    else if (!lane.busy && lane.holdUntil <= this.#timer.now()) this.#lanes.delete(lane.chat)
  }

  async #attempt(lane: Lane<Piece>): Promise<void> {
    const item = lane.items[0]!
    try {
      item.pieces ??= await this.#transport.pieces(lane.chat, item.reply, item.audience)
    } catch (error) {
      return this.#finish(lane, { status: 'failed', reason: `could not be prepared: ${(error as Error).message}` })
    }
    if (item.pieces.length === 0) return this.#finish(lane, { status: 'sent' })
    if (item.options.signal?.aborted || (item.options.beforeAttempt && !(await item.options.beforeAttempt()))) {
      return this.#finish(lane, { status: 'cancelled' })
    }
    let outcome: AttemptOutcome
    try {
      outcome = await this.#transport.send(lane.chat, item.pieces[item.next]!)
    } catch (error) {
      outcome = { kind: 'unknown', reason: (error as Error).message }
    }
    await item.options.afterAttempt?.(outcome)
    const now = this.#timer.now()
    lane.lastSentAt = now
    lane.jitter = this.#jitter()
    if (outcome.kind !== 'transient' || outcome.scope !== 'channel') this.#channelDown = 0
    switch (outcome.kind) {
      case 'sent':
        item.next += 1
        item.attempts = 0
        if (item.next >= item.pieces.length) this.#finish(lane, { status: 'sent' })
        return
      case 'rate_limited':
        this.#stats.rateLimited += 1
        if (outcome.scope === 'channel') this.#channelHoldUntil = Math.max(this.#channelHoldUntil, now + outcome.afterMs)
        else lane.holdUntil = Math.max(lane.holdUntil, now + outcome.afterMs)
        this.#logger.warn({ channel: this.channel, chat: lane.chat, scope: outcome.scope, afterMs: outcome.afterMs }, 'delivery: rate limited, holding')
        return this.#deferIfWaitedTooLong(lane, item, now + outcome.afterMs, outcome.reason)
      case 'transient':
        if (outcome.scope === 'channel') {
          // The platform cannot be reached: nothing is wrong with this message, so no attempt is counted.
          this.#channelDown += 1
          this.#channelHoldUntil = now + this.#backoff(this.#channelDown)
          this.#logger.warn({ channel: this.channel, reason: outcome.reason, retryInMs: this.#channelHoldUntil - now }, 'delivery: channel unreachable, holding')
          return this.#deferIfWaitedTooLong(lane, item, this.#channelHoldUntil, outcome.reason)
        }
        return this.#retryLater(lane, item, now, outcome.reason)
      case 'unknown':
        if (item.options.mode === 'at-most-once') return this.#finish(lane, { status: 'unknown', reason: outcome.reason })
        return this.#retryLater(lane, item, now, outcome.reason)
      case 'unreachable':
        this.#onUnreachable?.(lane.chat, outcome.reason)
        return this.#finish(lane, { status: 'unreachable', reason: outcome.reason })
      case 'rejected':
        return this.#finish(lane, { status: 'failed', reason: outcome.reason })
    }
  }

  #retryLater(lane: Lane<Piece>, item: Item<Piece>, now: number, reason: string): void {
    item.attempts += 1
    if (item.attempts >= this.#o.maxAttempts) {
      return this.#finish(lane, { status: 'retry', afterMs: this.#backoff(item.attempts), reason: `${reason} (after ${item.attempts} attempts)` })
    }
    this.#stats.retried += 1
    lane.holdUntil = now + this.#backoff(item.attempts)
    this.#deferIfWaitedTooLong(lane, item, lane.holdUntil, reason)
  }

  #deferIfWaitedTooLong(lane: Lane<Piece>, item: Item<Piece>, nextAt: number, reason: string): void {
    if (nextAt - item.enqueuedAt <= this.#o.maxWaitMs) return
    this.#finish(lane, { status: 'retry', afterMs: Math.max(0, nextAt - this.#timer.now()), reason: `${reason} (held too long)` })
  }

  #finish(lane: Lane<Piece>, result: DeliveryResult): void {
    const item = lane.items.shift()
    if (!item) return
    if (result.status === 'retry') this.#stats.deferred += 1
    else if (result.status !== 'cancelled') this.#stats[result.status] += 1
    if (result.status === 'failed' || result.status === 'unknown' || result.status === 'retry' || result.status === 'unreachable') {
      const sentPieces = item.next
      this.#logger.warn({ channel: this.channel, chat: lane.chat, status: result.status, reason: result.reason, sentPieces, pieces: item.pieces?.length }, 'delivery: not delivered')
    }
    item.resolve(result)
    this.#settled()
  }

  #settled(): void {
    if (this.#idleWaiters.length > 0 && this.backlog === 0) this.#idleWaiters.splice(0).forEach((resolve) => resolve())
  }

  #backoff(attempt: number): number {
    const base = Math.min(this.#o.backoffBaseMs * 2 ** (attempt - 1), this.#o.backoffMaxMs)
    // Up to a fifth more, so that many chats failing together do not retry in step.
    return base + base * 0.2 * this.#random()
  }

  #jitter(): number {
    return this.#o.jitterMs > 0 ? this.#random() * this.#o.jitterMs : 0
  }
}
