import type { Clock } from '../core/clock'
import { RecentMap } from '../core/recent-map'

export interface ResidentAllowanceOptions {
  /** Messages a resident may send at once (CHAT_RATE_BURST). */
  burst: number
  /** Messages a minute once the burst is spent (CHAT_RATE_PER_MINUTE); the allowance refills continuously. */
  perMinute: number
  clock: Clock
}

export const RATE_LIMIT_DEFAULTS = {
  /** Residents whose allowance is remembered; one forgotten starts again with a full burst. */
  residentsKept: 100_000,
  /** A resident over the limit is told to wait at most once in this long; the rest of a flood gets no reply. */
  waitNoticeEveryMs: 60_000,
}

interface Bucket {
  tokens: number
  at: number
  toldAt?: number
}

/** A message within the allowance; or over it, with the seconds to say when the resident should be told to wait. */
export type Allowance = { allowed: true } | { allowed: false; tellWaitSeconds?: number }

/**
 * Per resident, on every channel: a token bucket of `burst` messages refilled at `perMinute`. The pipeline asks it
 * before it queues the message or loads the profile, so a flood from one resident costs a map lookup per message
 * and slows nobody else.
 */
export class ResidentAllowance {
  readonly #buckets = new RecentMap<string, Bucket>(RATE_LIMIT_DEFAULTS.residentsKept)
  readonly #burst: number
  readonly #refillPerMs: number
  readonly #clock: Clock

  constructor({ burst, perMinute, clock }: ResidentAllowanceOptions) {
    this.#burst = burst
    this.#refillPerMs = perMinute / 60_000
    this.#clock = clock
  }

  take(residentKey: string): Allowance {
    const now = this.#clock.now().getTime()
    const bucket = this.#buckets.get(residentKey) ?? { tokens: this.#burst, at: now }
    bucket.tokens = Math.min(this.#burst, bucket.tokens + Math.max(0, now - bucket.at) * this.#refillPerMs)
    bucket.at = now
    this.#buckets.set(residentKey, bucket)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return { allowed: true }
    }
    if (bucket.toldAt !== undefined && now - bucket.toldAt < RATE_LIMIT_DEFAULTS.waitNoticeEveryMs) return { allowed: false }
    bucket.toldAt = now
    return { allowed: false, tellWaitSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.#refillPerMs / 1000)) }
  }
}
