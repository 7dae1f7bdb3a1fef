import type { Clock } from '../core/clock'
import type { Middleware } from '../core/composer'
import type { Logger } from '../core/logger'
import { RecentMap } from '../core/recent-map'
import type { Translate } from '../i18n'

export interface ResidentRateLimitOptions {
  /** Messages a resident may send at once (CHAT_RATE_BURST). */
  burst: number
  /** Messages a minute once the burst is spent (CHAT_RATE_PER_MINUTE); the allowance refills continuously. */
  perMinute: number
  clock: Clock
  translate: Translate
  logger: Logger
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

/**
 * Per resident, on every channel: a token bucket of `burst` messages refilled at `perMinute`. A message over the
 * limit is not processed (not understood, answered or recorded); the resident is asked, once, to wait a moment.
 * It runs first in the pipeline, so a flood from one resident costs little and slows nobody else.
 */
export function residentRateLimit({ burst, perMinute, clock, translate, logger }: ResidentRateLimitOptions): Middleware {
  const buckets = new RecentMap<string, Bucket>(RATE_LIMIT_DEFAULTS.residentsKept)
  const refillPerMs = perMinute / 60_000
  return async (ctx, next) => {
    const now = clock.now().getTime()
    const bucket = buckets.get(ctx.residentKey) ?? { tokens: burst, at: now }
    bucket.tokens = Math.min(burst, bucket.tokens + Math.max(0, now - bucket.at) * refillPerMs)
    bucket.at = now
    buckets.set(ctx.residentKey, bucket)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return next()
    }
    ctx.throttled = true
    if (bucket.toldAt !== undefined && now - bucket.toldAt < RATE_LIMIT_DEFAULTS.waitNoticeEveryMs) return
    bucket.toldAt = now
    const seconds = Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerMs / 1000))
    ctx.reply(translate(ctx.locale, 'rate.wait', { seconds }))
    logger.info({ resident: ctx.residentKey, channel: ctx.message.channel }, 'resident over the message rate limit: not answered')
  }
}
