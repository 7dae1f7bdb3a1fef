import type { FastifyInstance } from 'fastify'
import { Telegraf, TelegramError, type Context as TelegrafContext } from 'telegraf'
import { message } from 'telegraf/filters'
import type { InlineKeyboardMarkup } from 'telegraf/types'
import type { OutboundReply } from '../../src/core/context'
import type { Logger } from '../../src/core/logger'
import { splitText } from '../../src/core/outbound'
import type { ChannelSender } from '../../src/escalation/outbox'
import type { StaffMember } from '../../src/escalation/staff'
import type { StaffChat } from '../../src/escalation/staff-chat'
import type { Translate } from '../../src/i18n'
import type { Locale } from '../../src/knowledge/schemas'
import type { Pipeline } from '../../src/pipeline/pipeline'

export const TELEGRAM_DEFAULTS = {
  /** Telegram refuses messages over 4,096 characters; keep a margin for how it counts. */
  maxChars: 4000,
  /** Telegram refuses callback data over 64 bytes. */
  maxCallbackBytes: 64,
  /** Attempts at one API call when Telegram answers 429 (too many requests). */
  maxAttempts: 5,
  /** Never wait longer than this on one retry_after, whatever Telegram asks. */
  maxRetryAfterSeconds: 60,
}

export interface TelegramAdapterOptions {
  bot: Telegraf
  pipeline: Pipeline
  translate: Translate
  logger: Logger
  /** Caseworkers' commands in their chats; staff chats are known from the settlement directory. */
  staffChat?: StaffChat
  /** Waits between retries; tests pass a fast one. */
  sleep?: (ms: number) => Promise<void>
  limits?: Partial<typeof TELEGRAM_DEFAULTS>
}

const CHANNEL = 'telegram'
// Telegram says 403 with one of these when a resident blocked the bot or deleted their account.
const UNREACHABLE = /blocked by the user|user is deactivated|bot was kicked|chat not found/i

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Telegram's language code is a hint: Chinese variants answer in zh-CN, English in en, others in the default. */
export function localeFromLanguageCode(code: string | undefined): Locale | undefined {
  if (!code) return undefined
  if (code.toLowerCase().startsWith('zh')) return 'zh-CN'
  if (code.toLowerCase().startsWith('en')) return 'en'
  return undefined
}

/**
 * The Telegram adapter (telegraf): private text messages and button presses go through the pipeline;
 * replies go back split under Telegram's size limit, with choices as inline buttons. Plain text is sent
 * (no parse mode), so nothing in an answer needs escaping.
 */
export class TelegramAdapter {
  readonly bot: Telegraf
  readonly #pipeline: Pipeline
  readonly #t: Translate
  readonly #logger: Logger
  readonly #sleep: (ms: number) => Promise<void>
  readonly #limits: typeof TELEGRAM_DEFAULTS
  readonly #staffChat: StaffChat | undefined

  constructor(options: TelegramAdapterOptions) {
    this.#staffChat = options.staffChat
    this.bot = options.bot
    this.#pipeline = options.pipeline
    this.#t = options.translate
    this.#logger = options.logger
    this.#sleep = options.sleep ?? realSleep
    this.#limits = { ...TELEGRAM_DEFAULTS, ...options.limits }

    this.bot.on(message('text'), (ctx) => this.#converse(ctx, ctx.message.text))
    this.bot.on('callback_query', async (ctx) => {
      // Stop the button's spinner first: answering can take a moment.
      await ctx.answerCbQuery().catch((error: unknown) => this.#logger.warn({ err: error }, 'telegram: answerCbQuery failed'))
      const data = 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : undefined
      if (data) await this.#converse(ctx, data)
    })
    // Registered after text: photos, voice, stickers, locations and the rest get a polite word on what works.
    this.bot.on('message', async (ctx) => {
      if (ctx.chat.type !== 'private') return
      const locale = localeFromLanguageCode(ctx.from.language_code) ?? 'zh-CN'
      await this.#send(ctx.chat.id, { text: this.#t(locale, 'media.unsupported') })
    })
    this.bot.catch((error, ctx) => this.#logger.error({ err: error, updateId: ctx.update.update_id }, 'telegram: update failed'))
  }

  /**
   * Long polling. A token Telegram refuses is logged clearly and the adapter stays off;
   * the rest of the server keeps running. Resolves once polling has started (or failed to).
   */
  async startPolling(): Promise<boolean> {
    if (!(await this.#checkToken())) return false
    // launch() resolves only when polling stops, so it is not awaited.
    this.bot.launch({ dropPendingUpdates: false }).catch((error: unknown) => this.#logger.error({ err: error }, 'telegram: polling stopped'))
    this.#logger.info({ bot: this.bot.botInfo?.username }, 'telegram: long polling started')
    return true
  }

  /**
   * Webhook mode, part one: the route on the app's own server (before it listens). Updates without
   * Telegram's secret header are refused with 401.
   */
  mountWebhook(app: FastifyInstance, url: string, secret: string): void {
    // Updates come from Telegram's few addresses, already paced by Telegram: never counted by the per-address limit.
    app.post(new URL(url).pathname, { config: { rateLimit: false } }, async (request, reply) => {
      if (request.headers['x-telegram-bot-api-secret-token'] !== secret) {
        return reply.status(401).send({ statusCode: 401, code: 'ANJU_ERR_UNAUTHORIZED', error: 'Unauthorized', message: 'bad or missing secret token' })
      }
      await this.bot.handleUpdate(request.body as Parameters<Telegraf['handleUpdate']>[0])
      return { ok: true }
    })
  }

  /** Webhook mode, part two: tells Telegram where to post, with the secret. False when the token is refused. */
  async startWebhook(url: string, secret: string): Promise<boolean> {
    if (!(await this.#checkToken())) return false
    if (!(await this.#call(() => this.bot.telegram.setWebhook(url, { secret_token: secret })))) return false
    this.#logger.info({ url }, 'telegram: webhook set')
    return true
  }

  /**
   * For the outbox: caseworkers' answers and notifications to a Telegram chat id. Rate limits come back as
   * "retry after", a refusal (blocked, chat gone) as unreachable; network failures throw and are retried.
   */
  readonly sender: ChannelSender = {
    send: async (recipient, reply) => {
      try {
        for (const { text, markup } of this.#pieces(reply)) await this.bot.telegram.sendMessage(recipient, text, markup)
        return { status: 'sent' }
      } catch (error) {
        if (!(error instanceof TelegramError)) throw error
        if (error.code === 429) return { status: 'retry', afterMs: (error.parameters?.retry_after ?? 1) * 1000, reason: error.description }
        if (error.code >= 500) return { status: 'retry', afterMs: 0, reason: error.description }
        if (UNREACHABLE.test(error.description)) await this.#pipeline.residentUnreachable(CHANNEL, recipient)
        return { status: 'unreachable', reason: `${error.code} ${error.description}` }
      }
    },
  }

  stop(): void {
    try {
      this.bot.stop()
    } catch {
      // Not running (webhook mode or never started): nothing to stop.
    }
  }

  async #checkToken(): Promise<boolean> {
    try {
      this.bot.botInfo = await this.bot.telegram.getMe()
      return true
    } catch (error) {
      const problem = error instanceof TelegramError
        ? `Telegram refused the bot token (${error.code} ${error.description}); check TELEGRAM_BOT_TOKEN`
        : `Telegram could not be reached (${(error as Error).message}); check the network and TELEGRAM_API_ROOT`
      this.#logger.error(`telegram: not started: ${problem}`)
      return false
    }
  }

  async #converse(ctx: TelegrafContext, text: string): Promise<void> {
    if (!ctx.chat || !ctx.from) return
    const member = this.#staffChat?.memberFor(CHANNEL, String(ctx.chat.id))
    if (member) return this.#staffConverse(ctx.chat.id, member, text, ctx.message && 'reply_to_message' in ctx.message ? ctx.message.reply_to_message : undefined)
    // Residents are answered in private chats only; groups are for staff.
    if (ctx.chat.type !== 'private') return
    const { from } = ctx
    const chatId = ctx.chat.id
    try {
      const answered = await this.#pipeline.handle({
        channel: CHANNEL,
        channelUserId: String(from.id),
        text,
        localeHint: localeFromLanguageCode(from.language_code),
        displayName: [from.first_name, from.last_name].filter(Boolean).join(' '),
        receivedAt: new Date(),
      })
      for (const reply of answered.replies) {
        if (!(await this.#send(chatId, reply, String(from.id)))) break
      }
    } catch (error) {
      this.#logger.error({ err: error, chatId }, 'telegram: answering failed')
      const locale = localeFromLanguageCode(from.language_code) ?? 'zh-CN'
      await this.#send(chatId, { text: this.#t(locale, 'error.internal') }, String(from.id)).catch(() => undefined)
    }
  }

  /** A caseworker's chat: commands, buttons on notifications, or a reply to a notification. */
  async #staffConverse(chatId: number, member: StaffMember, text: string, quoted: unknown): Promise<void> {
    const quotedText = quoted && typeof quoted === 'object' && 'text' in quoted && typeof quoted.text === 'string' ? quoted.text : undefined
    try {
      for (const reply of await this.#staffChat!.handle(member, text, quotedText)) await this.#send(chatId, reply)
    } catch (error) {
      this.#logger.error({ err: error, staff: member.id }, 'telegram: staff command failed')
      await this.#send(chatId, { text: this.#t('zh-CN', 'error.internal') })
    }
  }

  /** Sends one reply: split under the size limit, buttons under the last piece. False when undeliverable. */
  async #send(chatId: number, reply: OutboundReply, residentId?: string): Promise<boolean> {
    for (const { text, markup } of this.#pieces(reply)) {
      if (!(await this.#call(() => this.bot.telegram.sendMessage(chatId, text, markup), residentId))) return false
    }
    return true
  }

  /** A reply as Telegram messages: split under the size limit, the buttons under the last piece. */
  #pieces(reply: OutboundReply): { text: string; markup: { reply_markup?: InlineKeyboardMarkup } }[] {
    const pieces = splitText(reply.text, this.#limits.maxChars)
    return pieces.map((text, index) => ({
      text,
      markup: index === pieces.length - 1 && reply.choices?.length ? { reply_markup: this.#keyboard(reply) } : {},
    }))
  }

  #keyboard(reply: OutboundReply): InlineKeyboardMarkup {
    return {
      inline_keyboard: (reply.choices ?? []).map((choice, index) => [{
        text: choice.label,
        // A value too long for Telegram goes as its number, which the pipeline maps back.
        callback_data: Buffer.byteLength(choice.value) <= this.#limits.maxCallbackBytes ? choice.value : String(index + 1),
      }]),
    }
  }

  /**
   * One API call, retried after `retry_after` on 429. A resident who blocked the bot is reported to the
   * pipeline and not retried. Returns false when the message could not be delivered.
   */
  async #call<T>(request: () => Promise<T>, residentId?: string): Promise<T | false> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await request()
      } catch (error) {
        if (!(error instanceof TelegramError)) throw error
        if (error.code === 429 && attempt < this.#limits.maxAttempts) {
          const seconds = Math.min(error.parameters?.retry_after ?? 1, this.#limits.maxRetryAfterSeconds)
          this.#logger.warn({ seconds, attempt }, 'telegram: rate limited, waiting')
          await this.#sleep(seconds * 1000)
          continue
        }
        if (error.code === 403 && residentId && UNREACHABLE.test(error.description)) {
          this.#logger.info({ resident: residentId }, 'telegram: resident unreachable (blocked the bot), marked')
          await this.#pipeline.residentUnreachable(CHANNEL, residentId)
          return false
        }
        this.#logger.error({ code: error.code, description: error.description }, 'telegram: API call failed')
        return false
      }
    }
  }
}

/** The bot for a configuration, or undefined when no token is set. */
export function createTelegramBot(token: string | undefined, apiRoot: string): Telegraf | undefined {
  return token ? new Telegraf(token, { telegram: { apiRoot } }) : undefined
}
