import type { FastifyInstance } from 'fastify'
import { Telegraf, TelegramError, type Context as TelegrafContext } from 'telegraf'
import { message } from 'telegraf/filters'
import type { CallbackQuery, InlineKeyboardMarkup, Update } from 'telegraf/types'
import type { InboundMessage, OutboundReply } from '../../src/core/context'
import type { Timer } from '../../src/core/clock'
import type { Logger } from '../../src/core/logger'
import { RecentMap } from '../../src/core/recent-map'
import { SendQueue, type SendQueueOptions } from '../../src/delivery/send-queue'
import type { ChannelSender } from '../../src/delivery/types'
import type { StaffMember } from '../../src/escalation/staff'
import type { StaffChat } from '../../src/escalation/staff-chat'
import type { Translate } from '../../src/i18n'
import type { Locale } from '../../src/knowledge/schemas'
import type { Pipeline } from '../../src/pipeline/pipeline'
import { classifyTelegramError, TELEGRAM_TRANSPORT_DEFAULTS, TelegramTransport, withRequestTimeouts } from './telegram-transport'

export const TELEGRAM_DEFAULTS = {
  ...TELEGRAM_TRANSPORT_DEFAULTS,
  /** Telegram refuses callback data over 64 bytes. */
  maxCallbackBytes: 64,
  /** An answer not ready after this long shows "typing…", renewed while it lasts (Telegram shows it ~5 s). */
  typingAfterMs: 1_500,
  typingEveryMs: 4_500,
  /** Update ids remembered to drop the ones Telegram sends twice (a webhook retry, a polling overlap). */
  recentUpdates: 10_000,
  /** Reaching Telegram at start is retried this often until it works (it may be down when the server starts). */
  connectRetryMs: 30_000,
}

/** Telegram's own pace: about 30 messages a second over all chats; chats are held on their own 429s. */
export const TELEGRAM_QUEUE_DEFAULTS: Partial<SendQueueOptions> = { concurrency: 8, minGapMs: 35 }

/** The updates the adapter reads: Telegram sends only these. */
export const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const

/** The bot's command menu, in Telegram's language codes; descriptions come from `telegram.command.<name>`. */
const MENU_COMMANDS = ['start', 'help', 'settlement', 'lang', 'notices', 'unsubscribe']
const MENU_LANGUAGES: { code?: string; locale: Locale }[] = [{ locale: 'zh-CN' }, { code: 'zh', locale: 'zh-CN' }, { code: 'en', locale: 'en' }]

export interface TelegramAdapterOptions {
  bot: Telegraf
  pipeline: Pipeline
  translate: Translate
  logger: Logger
  /** Caseworkers' commands in their chats; staff chats are known from the settlement directory. */
  staffChat?: StaffChat
  limits?: Partial<typeof TELEGRAM_DEFAULTS>
  /** The send queue's pace and retries (tests make them fast). */
  queue?: Partial<SendQueueOptions>
  /** The send queue's time (tests pass a manual one). */
  timer?: Timer
}

const CHANNEL = 'telegram'

/** Telegram's language code is a hint: Chinese variants answer in zh-CN, English in en, others in the default. */
export function localeFromLanguageCode(code: string | undefined): Locale | undefined {
  if (!code) return undefined
  if (code.toLowerCase().startsWith('zh')) return 'zh-CN'
  if (code.toLowerCase().startsWith('en')) return 'en'
  return undefined
}

/**
 * The Telegram adapter (telegraf): private text messages and button presses go through the pipeline; replies go
 * into the channel's send queue and the update is done: handling never waits on Telegram, so one resident's rate
 * limit or a slow request never holds anyone else's messages.
 */
export class TelegramAdapter {
  readonly bot: Telegraf
  /** Every message to Telegram goes through it: answers, and (registered with the outbox) relays, notifications and notices. */
  readonly queue: SendQueue<unknown>
  readonly #pipeline: Pipeline
  readonly #t: Translate
  readonly #logger: Logger
  readonly #limits: typeof TELEGRAM_DEFAULTS
  readonly #staffChat: StaffChat | undefined
  readonly #seenUpdates: RecentMap<number, true>
  readonly #inFlight = new Set<Promise<void>>()
  #connectTimer?: NodeJS.Timeout

  constructor(options: TelegramAdapterOptions) {
    this.#staffChat = options.staffChat
    this.bot = options.bot
    this.#pipeline = options.pipeline
    this.#t = options.translate
    this.#logger = options.logger
    this.#limits = { ...TELEGRAM_DEFAULTS, ...options.limits }
    this.#seenUpdates = new RecentMap(this.#limits.recentUpdates)
    withRequestTimeouts(this.bot, this.#limits)
    this.queue = new SendQueue({
      channel: CHANNEL,
      transport: new TelegramTransport(this.bot, (reply) => this.#keyboard(reply), this.#limits),
      logger: this.#logger,
      options: { ...TELEGRAM_QUEUE_DEFAULTS, ...options.queue },
      timer: options.timer,
      onUnreachable: (chat) => this.#unreachable(chat),
    }) as SendQueue<unknown>

    this.bot.use((ctx, next) => (this.#firstTime(ctx.update.update_id) ? next() : undefined))
    this.bot.on('my_chat_member', (ctx) => {
      const { chat, new_chat_member: member } = ctx.myChatMember
      if (chat.type !== 'private') return
      // The resident blocked the bot: mark at once, not at the next failed send. Unblocking is a return.
      if (member.status === 'kicked') this.#unreachable(String(chat.id))
      else if (member.status === 'member') this.#track(this.#pipeline.residentReturned(CHANNEL, String(chat.id)))
    })
    this.bot.on(message('text'), (ctx) => this.#track(this.#onText(ctx, ctx.message.text, ctx.message.entities)))
    this.bot.on('callback_query', (ctx) => {
      const query = ctx.callbackQuery
      const data = 'data' in query ? query.data : undefined
      this.#track(this.#acknowledgePress(query, data))
      if (data) {
        const button = buttonFromCallback(data)
        this.#track(this.#converse(ctx, button.value, button))
      }
    })
    // Registered after text: photos, voice, stickers, locations and the rest get a polite word on what works.
    this.bot.on('message', (ctx) => {
      if (ctx.chat.type !== 'private') return
      const locale = localeFromLanguageCode(ctx.from.language_code) ?? 'zh-CN'
      void this.queue.send(String(ctx.chat.id), { text: this.#t(locale, 'media.unsupported') })
    })
    this.bot.catch((error, ctx) => this.#logger.error({ err: error, updateId: ctx.update.update_id }, 'telegram: update failed'))
  }

  /** For the outbox and broadcasts: the channel's send queue. */
  get sender(): ChannelSender {
    return this.queue
  }

  /**
   * Long polling. A token Telegram refuses is logged clearly and the adapter stays off (false). When Telegram cannot
   * be reached, it keeps trying in the background and the queue holds what waits to be sent meanwhile.
   */
  async startPolling(): Promise<boolean> {
    return this.#connect(() => {
      // launch() resolves only when polling stops, so it is not awaited.
      this.bot.launch({ dropPendingUpdates: false, allowedUpdates: [...ALLOWED_UPDATES] }).catch((error: unknown) => this.#logger.error({ err: error }, 'telegram: polling stopped'))
      this.#logger.info({ bot: this.bot.botInfo?.username }, 'telegram: long polling started')
    })
  }

  /**
   * Webhook mode, part one: the route on the app's own server (before it listens). Updates without Telegram's
   * secret header are refused with 401; the rest are answered 200 at once and handled afterwards, so that Telegram
   * never waits on a send (and never resends the update because it waited).
   */
  mountWebhook(app: FastifyInstance, url: string, secret: string): void {
    // Updates come from Telegram's few addresses, already paced by Telegram: never counted by the per-address limit.
    app.post(new URL(url).pathname, { config: { rateLimit: false } }, async (request, reply) => {
      if (request.headers['x-telegram-bot-api-secret-token'] !== secret) {
        return reply.status(401).send({ statusCode: 401, code: 'ANJU_ERR_UNAUTHORIZED', error: 'Unauthorized', message: 'bad or missing secret token' })
      }
      const update = request.body as Update
      if (!update || typeof update.update_id !== 'number') {
        return reply.status(400).send({ statusCode: 400, code: 'ANJU_ERR_BAD_REQUEST', error: 'Bad Request', message: 'not a Telegram update' })
      }
      void this.bot.handleUpdate(update)
      return { ok: true }
    })
  }

  /** Webhook mode, part two: tells Telegram where to post, with the secret and the updates wanted. False when the token is refused. */
  async startWebhook(url: string, secret: string): Promise<boolean> {
    return this.#connect(async () => {
      try {
        await this.bot.telegram.setWebhook(url, { secret_token: secret, allowed_updates: [...ALLOWED_UPDATES] })
        this.#logger.info({ url }, 'telegram: webhook set')
      } catch (error) {
        this.#logger.error({ err: error, url }, 'telegram: the webhook could not be set; retrying later')
        this.#connectTimer = setTimeout(() => void this.startWebhook(url, secret), this.#limits.connectRetryMs).unref()
      }
    })
  }

  /** Stops polling, lets queued messages go out for a few seconds at most. */
  async stop(drainMs = 5_000): Promise<void> {
    clearTimeout(this.#connectTimer)
    try {
      this.bot.stop()
    } catch {
      // Not running (webhook mode or never started): nothing to stop.
    }
    let timer: NodeJS.Timeout | undefined
    const drained = Promise.allSettled([...this.#inFlight]).then(() => this.queue.idle())
    await Promise.race([drained, new Promise((resolve) => (timer = setTimeout(resolve, drainMs)))])
    clearTimeout(timer)
  }

  /** Resolves once every update taken in has been handled and its replies queued (tests). */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight])
  }

  /** getMe, then `ready`; a refused token is false, an unreachable Telegram is tried again in the background. */
  async #connect(ready: () => void | Promise<void>): Promise<boolean> {
    try {
      this.bot.botInfo = await this.bot.telegram.getMe()
    } catch (error) {
      if (error instanceof TelegramError && classifyTelegramError(error).kind !== 'transient' && error.code !== 429) {
        this.#logger.error(`telegram: not started: Telegram refused the bot token (${error.code} ${error.description}); check TELEGRAM_BOT_TOKEN`)
        return false
      }
      this.#logger.error(`telegram: Telegram could not be reached (${(error as Error).message}); check the network and TELEGRAM_API_ROOT. Trying again in ${this.#limits.connectRetryMs / 1000} s; messages wait in the queue`)
      this.#connectTimer = setTimeout(() => void this.#connect(ready), this.#limits.connectRetryMs).unref()
      return true
    }
    await this.#setCommands()
    await ready()
    return true
  }

  /** The command menu in Chinese (the default) and English. Best effort: the bot works without it. */
  async #setCommands(): Promise<void> {
    for (const { code, locale } of MENU_LANGUAGES) {
      const commands = MENU_COMMANDS.map((command) => ({ command, description: this.#t(locale, `telegram.command.${command}`) }))
      await this.bot.telegram.setMyCommands(commands, code ? { language_code: code } : {})
        .catch((error: unknown) => this.#logger.warn({ err: error, language: code ?? 'default' }, 'telegram: setMyCommands failed'))
    }
  }

  #firstTime(updateId: number): boolean {
    if (this.#seenUpdates.get(updateId)) {
      this.#logger.debug({ updateId }, 'telegram: duplicate update dropped')
      return false
    }
    this.#seenUpdates.set(updateId, true)
    return true
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => this.#logger.error({ err: error }, 'telegram: handling an update failed'))
    this.#inFlight.add(tracked)
    void tracked.finally(() => this.#inFlight.delete(tracked))
  }

  #unreachable(chat: string): void {
    this.#logger.info({ chat }, 'telegram: resident unreachable (blocked the bot), marked')
    this.#track(this.#pipeline.residentUnreachable(CHANNEL, chat))
  }

  /** Text: in private chats the conversation; in groups only a command to the bot, answered with "write to me privately". */
  async #onText(ctx: TelegrafContext, text: string, entities: { type: string; offset: number; length: number }[] = []): Promise<void> {
    if (!ctx.chat || ctx.chat.type === 'private' || this.#staffChat?.memberFor(CHANNEL, String(ctx.chat.id))) return this.#converse(ctx, text)
    const command = entities.find((e) => e.type === 'bot_command' && e.offset === 0)
    const addressee = command && text.slice(0, command.length).split('@')[1]
    if (!command || (addressee && addressee.toLowerCase() !== this.bot.botInfo?.username?.toLowerCase())) return
    const locale = localeFromLanguageCode(ctx.from?.language_code) ?? 'zh-CN'
    await this.queue.send(String(ctx.chat.id), { text: this.#t(locale, 'telegram.write_privately', { username: this.bot.botInfo?.username ?? '' }) })
  }

  async #converse(ctx: TelegrafContext, text: string, button?: InboundMessage['button']): Promise<void> {
    if (!ctx.chat || !ctx.from) return
    const chatId = String(ctx.chat.id)
    const member = this.#staffChat?.memberFor(CHANNEL, chatId)
    if (member) return this.#staffConverse(chatId, member, text, ctx.message && 'reply_to_message' in ctx.message ? ctx.message.reply_to_message : undefined)
    // Residents are answered in private chats only; groups are for staff.
    if (ctx.chat.type !== 'private') return
    const { from } = ctx
    const answering = this.#pipeline.handle({
      channel: CHANNEL,
      channelUserId: String(from.id),
      text,
      ...(button ? { button } : {}),
      localeHint: localeFromLanguageCode(from.language_code),
      displayName: [from.first_name, from.last_name].filter(Boolean).join(' '),
      receivedAt: new Date(),
    })
    this.#typingWhile(chatId, answering)
    let replies: OutboundReply[]
    try {
      replies = (await answering).replies
    } catch (error) {
      this.#logger.error({ err: error, chatId }, 'telegram: answering failed')
      replies = [{ text: this.#t(localeFromLanguageCode(from.language_code) ?? 'zh-CN', 'error.internal') }]
    }
    // Queued, not awaited: the queue keeps this chat's order and retries; its failures are logged and counted there.
    for (const reply of replies) void this.queue.send(chatId, reply, 'resident')
  }

  /** A caseworker's chat: commands, buttons on notifications, or a reply to a notification. */
  async #staffConverse(chatId: string, member: StaffMember, text: string, quoted: unknown): Promise<void> {
    const quotedText = quoted && typeof quoted === 'object' && 'text' in quoted && typeof quoted.text === 'string' ? quoted.text : undefined
    let replies: OutboundReply[]
    try {
      replies = await this.#staffChat!.handle(member, text, quotedText)
    } catch (error) {
      this.#logger.error({ err: error, staff: member.id }, 'telegram: staff command failed')
      replies = [{ text: this.#t('zh-CN', 'error.internal') }]
    }
    for (const reply of replies) void this.queue.send(chatId, reply, 'staff')
  }

  /** Shows "typing…" in the chat while an answer takes longer than a moment. Best effort, never queued behind answers. */
  #typingWhile(chatId: string, work: Promise<unknown>): void {
    let done = false
    let timer: NodeJS.Timeout | undefined
    const type = () => {
      if (done) return
      this.bot.telegram.sendChatAction(chatId, 'typing').catch((error: unknown) => this.#logger.debug({ err: error }, 'telegram: typing action failed'))
      timer = setTimeout(type, this.#limits.typingEveryMs).unref()
    }
    timer = setTimeout(type, this.#limits.typingAfterMs).unref()
    void work.finally(() => {
      done = true
      clearTimeout(timer)
    }).catch(() => undefined)
  }

  /**
   * A pressed button: a short toast naming the choice, and the keyboard edited so that it is not pressed twice:
   * a resident's choices are removed, a caseworker's other actions (take, resolve) stay.
   */
  async #acknowledgePress(query: CallbackQuery, data: string | undefined): Promise<void> {
    const markup = query.message && 'reply_markup' in query.message ? query.message.reply_markup : undefined
    const buttons = markup?.inline_keyboard ?? []
    const pressed = buttons.flat().find((button) => 'callback_data' in button && button.callback_data === data)
    const locale = localeFromLanguageCode(query.from.language_code) ?? 'zh-CN'
    await this.bot.telegram.answerCbQuery(query.id, pressed ? this.#t(locale, 'telegram.pressed', { label: pressed.text }) : undefined)
      .catch((error: unknown) => this.#logger.warn({ err: error }, 'telegram: answerCallbackQuery failed'))
    if (!query.message || !pressed) return
    const staff = this.#staffChat?.memberFor(CHANNEL, String(query.message.chat.id))
    const rest = staff ? buttons.map((row) => row.filter((button) => button !== pressed)).filter((row) => row.length > 0) : []
    await this.bot.telegram.editMessageReplyMarkup(query.message.chat.id, query.message.message_id, undefined, { inline_keyboard: rest })
      .catch((error: unknown) => this.#logger.debug({ err: error }, 'telegram: the pressed keyboard could not be edited'))
  }

  #keyboard(reply: OutboundReply): InlineKeyboardMarkup {
    return {
      inline_keyboard: (reply.choices ?? []).map((choice, index) => [{
        text: choice.label,
        callback_data: callbackData(reply.promptId, choice.value, index, this.#limits.maxCallbackBytes),
      }]),
    }
  }
}

/** Callback data that carries a prompt id: `!p:<promptId>|<value>` (or `|#<n>`, the choice's number). */
const PROMPTED = /^!p:([^|]*)\|(.*)$/s

/**
 * A button's callback data, within Telegram's 64 bytes: the prompt it was offered for and its value. A value too
 * long goes as its number, which the pipeline maps back; a prompt id too long is left out (the press is then
 * taken as an answer to the current question).
 */
export function callbackData(promptId: string | undefined, value: string, index: number, maxBytes: number): string {
  const fits = (data: string) => Buffer.byteLength(data) <= maxBytes
  const number = String(index + 1)
  if (promptId) {
    for (const data of [`!p:${promptId}|${value}`, `!p:${promptId}|#${number}`]) if (fits(data)) return data
  }
  return fits(value) ? value : number
}

/** The pressed button from its callback data: its value (the text too) and the prompt id, when it has one. */
export function buttonFromCallback(data: string): { value: string; promptId?: string } {
  const prompted = PROMPTED.exec(data)
  if (!prompted) return { value: data }
  const [, promptId, value] = prompted as unknown as [string, string, string]
  return { value: /^#\d+$/.test(value) ? value.slice(1) : value, ...(promptId ? { promptId } : {}) }
}

/** The bot for a configuration, or undefined when no token is set. */
export function createTelegramBot(token: string | undefined, apiRoot: string): Telegraf | undefined {
  return token ? new Telegraf(token, { telegram: { apiRoot } }) : undefined
}
