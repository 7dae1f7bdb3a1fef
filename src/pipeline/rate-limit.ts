import type { Clock } from '../core/clock'
import { RecentMap } from '../core/recent-map'

export interface TokenBucketsOptions {
  /** What may come at once (CHAT_RATE_BURST for a resident's messages). */
  burst: number
  /** How many a minute once the burst is spent (CHAT_RATE_PER_MINUTE); the allowance refills continuously. */
  perMinute: number
  clock: Clock
}

export const RATE_LIMIT_DEFAULTS = {
  /** Keys (residents, addresses) whose allowance is remembered; one forgotten starts again with a full burst. */
  residentsKept: 100_000,
  /** A sender over the limit is told to wait at most once in this long; the rest of a flood gets no reply. */
  waitNoticeEveryMs: 60_000,
}

interface Bucket {
  tokens: number
  at: number
  toldAt?: number
}

/** Within the allowance; or over it, with the seconds to wait when the sender is to be told (once a minute). */
export type Allowance = { allowed: true } | { allowed: false; tellWaitSeconds?: number }

/**
 * A token bucket per key of `burst` refilled at `perMinute`, in memory. Per resident on every channel, the pipeline
 * asks it before it queues a message or loads the profile, so a flood from one resident costs a map lookup per
 * message and slows nobody else; per client address, it caps the new tickets one address can raise.
 */
export class TokenBuckets {
  readonly #buckets = new RecentMap<string, Bucket>(RATE_LIMIT_DEFAULTS.residentsKept)
  readonly #burst: number
  readonly #refillPerMs: number
  readonly #clock: Clock

  constructor({ burst, perMinute, clock }: TokenBucketsOptions) {
    this.#burst = burst
    this.#refillPerMs = perMinute / 60_000
    this.#clock = clock
  }

  take(key: string): Allowance {
    const now = this.#clock.now().getTime()
    const bucket = this.#buckets.get(key) ?? { tokens: this.#burst, at: now }
    bucket.tokens = Math.min(this.#burst, bucket.tokens + Math.max(0, now - bucket.at) * this.#refillPerMs)
    bucket.at = now
    this.#buckets.set(key, bucket)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return { allowed: true }
    }
    if (bucket.toldAt !== undefined && now - bucket.toldAt < RATE_LIMIT_DEFAULTS.waitNoticeEveryMs) return { allowed: false }
    bucket.toldAt = now
    return { allowed: false, tellWaitSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.#refillPerMs / 1000)) }
  }
}
