import { TelegramError, type Telegraf } from 'telegraf'
import type { InlineKeyboardMarkup } from 'telegraf/types'
import type { OutboundReply } from '../../src/core/context'
import { splitReply } from '../../src/core/outbound'
import type { AttemptOutcome, ChannelTransport } from '../../src/delivery/types'

export const TELEGRAM_TRANSPORT_DEFAULTS = {
  /** Telegram refuses messages over 4,096 characters; keep a margin for how it counts. */
  maxChars: 4000,
  /** One request gets this long (telegraf's own limit is 500 s); after it, its outcome is unknown. */
  requestTimeoutMs: 15_000,
  /** Long polling asks Telegram to hold getUpdates 50 s; give up on it a little after that. */
  pollTimeoutMs: 65_000,
}
export type TelegramTransportOptions = typeof TELEGRAM_TRANSPORT_DEFAULTS

export interface TelegramPiece {
  text: string
  reply_markup?: InlineKeyboardMarkup
}

// Telegram says 403 (or 400 chat not found) with one of these when a resident blocked the bot or deleted their account.
const UNREACHABLE = /blocked by the user|user is deactivated|bot was kicked|chat not found|bot can't initiate/i
// Errors raised before anything reached Telegram: the connection was refused, the name or route unknown.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH'])

/**
 * What a failed Bot API call proves. 429 and 5xx are answers from Telegram: nothing was delivered. A refused
 * connection never reached it. A timeout, a connection lost mid-request or an unreadable answer prove nothing.
 */
export function classifyTelegramError(error: unknown): AttemptOutcome {
  if (error instanceof TelegramError) {
    const reason = `${error.code} ${error.description}`
    if (error.code === 429) return { kind: 'rate_limited', afterMs: (error.parameters?.retry_after ?? 1) * 1000, scope: 'chat', reason }
    if (error.code >= 500) return { kind: 'transient', scope: 'chat', reason }
    if ((error.code === 403 || error.code === 400) && UNREACHABLE.test(error.description)) return { kind: 'unreachable', reason }
    return { kind: 'rejected', reason }
  }
  const failure = error as { name?: string; code?: string; errno?: string; message?: string }
  const code = failure.code ?? failure.errno
  if (code && NOT_SENT.has(code)) return { kind: 'transient', scope: 'channel', reason: `${code} (Telegram not reachable)` }
  if (failure.name === 'AbortError' || failure.name === 'TimeoutError') return { kind: 'unknown', reason: 'request timed out' }
  return { kind: 'unknown', reason: failure.message ?? String(error) }
}

/**
 * Gives every Bot API call of the bot a timeout: sends `requestTimeoutMs`, getUpdates `pollTimeoutMs`. A getUpdates
 * that times out is reported to telegraf's polling as a network error, which it retries, not as its own abort
 * (which would end polling).
 */
export function withRequestTimeouts(bot: Telegraf, options: Pick<TelegramTransportOptions, 'requestTimeoutMs' | 'pollTimeoutMs'>): void {
  const telegram = bot.telegram
  const callApi = telegram.callApi.bind(telegram) as (method: string, payload: unknown, extra?: { signal?: AbortSignal }) => Promise<unknown>
  const timed = async (method: string, payload: unknown, extra: { signal?: AbortSignal } = {}) => {
    const ms = method === 'getUpdates' ? options.pollTimeoutMs : options.requestTimeoutMs
    const timeout = AbortSignal.timeout(ms)
    const signal = extra.signal ? AbortSignal.any([extra.signal, timeout]) : timeout
    try {
      return await callApi(method, payload, { ...extra, signal })
    } catch (error) {
      if (timeout.aborted && !extra.signal?.aborted && method === 'getUpdates') {
        throw Object.assign(new Error(`getUpdates timed out after ${ms} ms`), { name: 'FetchError' })
      }
      throw error
    }
  }
  telegram.callApi = timed as typeof telegram.callApi
}

/** Replies as Telegram messages: plain text (no parse mode, nothing to escape), choices as inline buttons under the last piece. */
export class TelegramTransport implements ChannelTransport<TelegramPiece> {
  readonly #bot: Telegraf
  readonly #o: TelegramTransportOptions

  readonly #keyboard: (reply: OutboundReply) => InlineKeyboardMarkup

  /** `keyboard` builds the buttons of a reply (the adapter's, so that callback data stays in one place). */
  constructor(bot: Telegraf, keyboard: (reply: OutboundReply) => InlineKeyboardMarkup, options: Partial<TelegramTransportOptions> = {}) {
    this.#bot = bot
    this.#keyboard = keyboard
    this.#o = { ...TELEGRAM_TRANSPORT_DEFAULTS, ...options }
  }

  pieces(_recipient: string, reply: OutboundReply): TelegramPiece[] {
    return splitReply(reply, this.#o.maxChars).map(({ text, choices }) => (choices ? { text, reply_markup: this.#keyboard({ ...reply, text, choices }) } : { text }))
  }

  async send(recipient: string, piece: TelegramPiece): Promise<AttemptOutcome> {
    try {
      await this.#bot.telegram.sendMessage(recipient, piece.text, piece.reply_markup ? { reply_markup: piece.reply_markup } : {})
      return { kind: 'sent' }
    } catch (error) {
      return classifyTelegramError(error)
    }
  }
}
