import { setTimeout as sleep } from 'node:timers/promises'
import type { Clock } from '../core/clock'
import type { Logger } from '../core/logger'
import type { AttemptOutcome, ChannelSender, DeliveryResult } from '../delivery/types'
import type { Translate } from '../i18n'
import type { Locale } from '../knowledge/schemas'
import type { ResidentRepository } from '../store/types'
import { emptyCounts, type DeliveryCounts, type DeliveryRecord, type PlannedDelivery, type SkipReason } from './delivery-log'
import type { DeliveryStore } from './delivery-store'
import { noticeText, type Audience, type Notice } from './notice'

export const BROADCAST_DEFAULTS = {
  /**
   * Least gap between two sends on a channel, in ms; false turns pacing off (tests, benchmark).
   * Telegram allows about 30 messages a second to different chats; WeChat restricts accounts that send in bulk,
   * so notices go out slowly there (its adapter also paces every send). The web channel writes to the server's own
   * files and open pages: no platform to spare, so no gap.
   */
  pacing: { telegram: 40, wechat: 2_000, web: 0 } as Record<string, number> | false,
  /** Gap for a channel not named in `pacing`. */
  defaultGapMs: 100,
  /** Notices in flight per channel: a slow request or a held chat occupies one of them, never the whole broadcast. */
  concurrency: 16,
  /** After this many attempts a delivery is failed. */
  maxAttempts: 5,
  /** Backoff after a passing failure: base × 2^(attempt-1), capped; a channel's retry_after is waited at least. */
  backoffBaseMs: 2_000,
  backoffMaxMs: 5 * 60_000,
  /** Deliveries an instance claims at a time: several instances on one database share a broadcast batch by batch. */
  batchSize: 200,
  /**
   * How long a claimed batch stays this instance's: a delivery claimed by an instance that died is taken by another
   * once it ends. Longer than a batch takes to send (200 at WeChat's pace: under 7 minutes).
   */
  leaseMs: 10 * 60_000,
  /** Residents read from the store at a time when an audience is planned or previewed. */
  audiencePageSize: 1_000,
}
export type BroadcastOptions = typeof BROADCAST_DEFAULTS

export interface BroadcasterDeps {
  /** The delivery records: lowdb files of this process, or the PostgreSQL table every instance claims from. */
  deliveries: DeliveryStore
  residents: ResidentRepository
  /** The channels' senders this instance runs (the ones registered with the outbox). */
  senderFor: (channel: string) => ChannelSender | undefined
  /**
   * Whether the deployment runs the channel on some instance: residents of other channels are planned as skipped
   * (`no_channel`); ones of a channel this instance does not run wait for an instance that does.
   */
  channelConfigured: (channel: string) => boolean
  translate: Translate
  clock: Clock
  logger: Logger
  options?: Partial<BroadcastOptions>
}

/** Stores a record's state; `heldUntil`: it stays this instance's until then. */
type StoreRecord = (record: DeliveryRecord, heldUntil?: Date) => Promise<boolean>

/** Why a run ended; waiting: some recipients are not settled yet (their channel is not running), so it runs again later. */
export type RunOutcome = 'done' | 'stopped' | 'expired' | 'waiting'

/** Spaces the notices of one channel; rate limits and outages are held by the channel's queue. */
class Pacer {
  #next = 0
  constructor(readonly gapMs: number) {}
  async wait(): Promise<void> {
    const now = performance.now()
    const at = Math.max(now, this.#next)
    this.#next = at + this.gapMs
    if (at > now) await sleep(at - now)
  }
}

/**
 * Plans a notice's recipients and delivers it through the channels' send queues, one delivery record per recipient,
 * paced per channel, retried with backoff, and resumable: each request is recorded as `sending` before it goes out
 * and with its outcome after. A request whose outcome is unknown (timeout, connection lost, or a crash mid-call)
 * is settled as sent-unknown and not sent again: a notice is delivered at most once. Recipients whose channel is
 * not running stay waiting, and the run ends `waiting` so that the notice stays "sending" and resumes later.
 */
export class Broadcaster {
  readonly #deps: BroadcasterDeps
  readonly #options: BroadcastOptions
  /** The broadcasts running in this process. */
  readonly #running = new Map<string, { stop: boolean }>()

  constructor(deps: BroadcasterDeps) {
    this.#deps = deps
    this.#options = { ...BROADCAST_DEFAULTS, ...deps.options }
  }

  /** Who would receive an audience, without writing anything: counts by channel and skipped by reason. */
  async preview(audience: Audience): Promise<{ recipients: number; byChannel: Record<string, number>; skipped: Record<SkipReason, number> }> {
    const byChannel: Record<string, number> = {}
    const skipped = emptyCounts().skipped
    let recipients = 0
    for (const p of await this.#select(audience)) {
      if (p.skip) skipped[p.skip] += 1
      else {
        recipients += 1
        byChannel[p.channel] = (byChannel[p.channel] ?? 0) + 1
      }
    }
    return { recipients, byChannel, skipped }
  }

  /** Writes the delivery records (queued, or skipped with the reason). Replaces a plan a crash interrupted. */
  async plan(notice: Notice): Promise<DeliveryCounts> {
    const planned = await this.#select(notice.audience)
    await this.#deps.deliveries.writePlan(notice.id, planned)
    const counts = emptyCounts()
    counts.total = planned.length
    for (const p of planned) {
      if (p.skip) counts.skipped[p.skip] += 1
      else counts.queued += 1
    }
    return counts
  }

  /** Delivery counts from the stored records, whichever instance is sending. */
  progress(noticeId: string): Promise<DeliveryCounts> {
    return this.#deps.deliveries.counts(noticeId, this.#deps.clock.now())
  }

  isRunning(noticeId: string): boolean {
    return this.#running.has(noticeId)
  }

  /** Asks a running broadcast to stop after the sends in flight (cancel, shutdown). */
  stop(noticeId: string): void {
    const running = this.#running.get(noticeId)
    if (running) running.stop = true
  }

  /**
   * Sends what is left of a planned notice, a claimed batch at a time: queued and retrying deliveries, never
   * `sending`, `sent` or `failed`. Other instances sharing the store claim other batches of the same notice.
   */
  async run(notice: Notice): Promise<RunOutcome> {
    if (this.#running.has(notice.id)) throw new Error(`broadcast ${notice.id} is already running`)
    const { deliveries, clock } = this.#deps
    const state = { stop: false }
    this.#running.set(notice.id, state)
    try {
      const texts = new Map<Locale, string>()
      const textFor = (locale: Locale) => {
        let text = texts.get(locale)
        if (!text) {
          const t = noticeText(notice, locale)
          texts.set(locale, (text = this.#deps.translate(t.locale, 'notice.delivery', { title: t.title, body: t.body })))
        }
        return text
      }
      let expired = false
      const halt = () => {
        if (state.stop) return true
        if (clock.now().toISOString() >= notice.expiresAt) expired = true
        return expired
      }
      const store = (record: DeliveryRecord, heldUntil?: Date) => deliveries.record(notice.id, record, heldUntil)
      const deliversOnce = (channel: string) => this.#deps.senderFor(channel)?.deliversOnce === true
      while (!halt()) {
        const batch = await deliveries.claim(notice.id, clock.now(), this.#options.batchSize, this.#options.leaseMs, deliversOnce)
        if (batch.length === 0) break
        const byChannel = new Map<string, DeliveryRecord[]>()
        for (const record of batch) {
          let queue = byChannel.get(record.channel)
          if (!queue) byChannel.set(record.channel, (queue = []))
          queue.push(record)
        }
        await Promise.all([...byChannel].map(([channel, queue]) => this.#runChannel(notice.id, channel, queue, store, textFor, halt)))
      }
      // What this run claimed and left (stopped, channel gone) is free for the next run, here or on another instance.
      await deliveries.release(notice.id)
      const counts = await this.progress(notice.id)
      return state.stop ? 'stopped' : expired ? 'expired' : counts.waiting > 0 ? 'waiting' : 'done'
    } finally {
      this.#running.delete(notice.id)
    }
  }

  async #runChannel(noticeId: string, channel: string, queue: DeliveryRecord[], store: StoreRecord, textFor: (l: Locale) => string, halt: () => boolean): Promise<void> {
    const { pacing, defaultGapMs, concurrency, maxAttempts, backoffBaseMs, backoffMaxMs, leaseMs } = this.#options
    const pacer = new Pacer(pacing === false ? 0 : pacing[channel] ?? defaultGapMs)
    const retries: { record: DeliveryRecord; due: number }[] = []
    let position = 0
    const worker = async () => {
      for (;;) {
        if (position >= queue.length) {
          if (retries.length === 0 || halt()) return
          // Nothing else to send: wait for the earliest retry.
          retries.sort((a, b) => a.due - b.due)
          const next = retries.shift()!
          const wait = next.due - performance.now()
          if (wait > 0) await sleep(wait)
          queue.push(next.record)
          continue
        }
        const record = queue[position++]!
        await pacer.wait()
        if (halt()) return
        const sender = this.#deps.senderFor(channel)
        if (!sender) {
          // The channel went away (not started yet after a restart): leave the rest queued for the next run.
          position = queue.length
          retries.length = 0
          return
        }
        const result = await this.#deliverOne(sender, noticeId, record, store, textFor(record.locale), halt)
        const attempts = record.attempts
        if (result.status === 'sent') {
          await this.#settle(store, record, 'sent')
        } else if (result.status === 'unknown') {
          // At most once: it may have arrived, so it is never sent again.
          await this.#settle(store, record, 'unknown', result.reason)
        } else if (result.status === 'cancelled') {
          // Stopped or expired before it went out: it stays waiting.
        } else if (result.status !== 'retry' || attempts >= maxAttempts) {
          await this.#settle(store, record, 'failed', result.reason)
        } else {
          const wait = Math.max(Math.min(backoffBaseMs * 2 ** (attempts - 1), backoffMaxMs), result.afterMs)
          // Held for this instance through its backoff, so that no other instance sends it meanwhile.
          await this.#settle(store, record, 'retry', result.reason, wait + leaseMs)
          retries.push({ record, due: performance.now() + wait })
        }
      }
    }
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker))
  }

  /** Sets a record's state and stores it; `holdMs`: it stays this instance's that long. */
  #settle(store: StoreRecord, record: DeliveryRecord, state: DeliveryRecord['state'], reason?: string, holdMs?: number): Promise<boolean> {
    const now = this.#deps.clock.now()
    record.state = state
    record.reason = reason
    record.at = now.toISOString()
    return store(record, holdMs === undefined ? undefined : new Date(now.getTime() + holdMs))
  }

  /**
   * One notice to one resident through the channel's queue, at most once and behind conversations. "sending" is
   * recorded right before each request; a rate limit or a passing failure (proof it did not arrive) is recorded as
   * a retry, so that a crash while the queue waits sends it again, and only a crash mid-request leaves sent-unknown.
   */
  async #deliverOne(sender: ChannelSender, noticeId: string, record: DeliveryRecord, store: StoreRecord, text: string, halt: () => boolean): Promise<DeliveryResult> {
    const before = record.attempts
    const { leaseMs } = this.#options
    const beforeAttempt = async () => {
      if (halt()) return false
      const { state, reason, at } = record
      record.attempts += 1
      // Its lease starts again: an instance that dies mid-request leaves it sent-unknown once the lease ends.
      if (await this.#settle(store, record, 'sending', undefined, leaseMs)) return true
      // Its lease ended and another instance took it over: that one sends it, this one leaves it.
      Object.assign(record, { state, reason, at, attempts: record.attempts - 1 })
      return false
    }
    const afterAttempt = async (outcome: AttemptOutcome) => {
      if (outcome.kind !== 'rate_limited' && outcome.kind !== 'transient') return
      await this.#settle(store, record, 'retry', outcome.reason, (outcome.kind === 'rate_limited' ? outcome.afterMs : 0) + leaseMs)
    }
    let result: DeliveryResult
    try {
      // The delivery's id: a channel that delivers an id once never shows a notice sent again after a crash twice.
      const deliveryId = `${noticeId}:${record.key}`
      result = await sender.send(record.to, { text }, 'resident', { mode: 'at-most-once', priority: 'bulk', deliveryId, beforeAttempt, afterAttempt })
    } catch (error) {
      // A sender that throws has said nothing about the message: at most once, it is not sent again.
      result = { status: 'unknown', reason: (error as Error).message }
    }
    // A sender that does not report its attempts still made one.
    if (record.attempts === before && result.status !== 'cancelled') record.attempts += 1
    return result
  }

  /**
   * The audience in key order, read a page at a time from the resident store (a query, never every profile):
   * subscribers to send to, and those skipped with the reason.
   */
  async #select(audience: Audience): Promise<PlannedDelivery[]> {
    const planned: PlannedDelivery[] = []
    const { audiencePageSize } = this.#options
    let after: string | undefined
    for (;;) {
      const page = await this.#deps.residents.audience(audience, after, audiencePageSize)
      for (const resident of page) {
        const skip: SkipReason | undefined = resident.linkedTo ? 'linked'
          : !resident.notices ? 'unsubscribed'
            : resident.blocked ? 'blocked'
              : !this.#deps.channelConfigured(resident.channel) ? 'no_channel'
                : undefined
        planned.push({
          i: planned.length, key: resident.key, channel: resident.channel, to: resident.channelUserId, locale: resident.locale ?? 'zh-CN',
          ...(skip ? { skip } : {}),
        })
      }
      if (page.length < audiencePageSize) return planned
      after = page.at(-1)!.key
    }
  }
}
