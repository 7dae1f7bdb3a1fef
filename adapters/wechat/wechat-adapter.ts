import { mkdirSync } from 'node:fs'
import path from 'node:path'
import qrcodeTerminal from 'qrcode-terminal'
import { WechatyBuilder, types, type Contact, type Friendship, type Message, type OfficialPuppetNpmName, type Room, type Wechaty } from 'wechaty'
import type { Config } from '../../src/config/env'
import type { StaffMember } from '../../src/escalation/staff'
import type { StaffChat } from '../../src/escalation/staff-chat'
import { systemClock, type Clock } from '../../src/core/clock'
import { KeyedMutex } from '../../src/core/keyed-mutex'
import type { Logger } from '../../src/core/logger'
import { choicesAsText } from '../../src/core/outbound'
import { SendQueue, type SendQueueOptions } from '../../src/delivery/send-queue'
import type { ChannelSender } from '../../src/delivery/types'
import type { Translate } from '../../src/i18n'
import type { Locale } from '../../src/knowledge/schemas'
import type { Pipeline } from '../../src/pipeline/pipeline'
import { residentKey, type ResidentRepository } from '../../src/store/types'
import { RestartBackoff, type RestartOptions } from './restart-backoff'
import { WechatTransport, type WechatReply } from './wechat-transport'

export { WECHAT_RESTART_DEFAULTS } from './restart-backoff'

/**
 * WeChat watches for accounts that send in bursts or on a machine's beat and restricts them (first delays, then a
 * ban), so every message is paced, one at a time, with a random part on each gap. The figures are conservative,
 * not documented limits: WeChat publishes none.
 */
export const WECHAT_QUEUE_DEFAULTS: Partial<SendQueueOptions> = {
  concurrency: 1,
  /** Between any two sends of the account: at most about two messages a second, whoever they go to. */
  minGapMs: 400,
  /** Between two sends to one chat: a long answer in pieces arrives as a person would type it. */
  perChatGapMs: 1_000,
  /** Up to this much more on each gap, at random. */
  jitterMs: 800,
  backoffBaseMs: 2_000,
}

/** A person reads a friend request before accepting it: a random wait in this range, never milliseconds. */
export const WECHAT_FRIEND_DELAY_DEFAULTS = { minMs: 8_000, maxMs: 40_000 }

export type WechatyInterface = Wechaty

const CHANNEL = 'wechat'

/**
 * WeChat takes much longer texts, but gateways behind some puppets cut messages near 2,000 characters without
 * an error, and a long wall of text is hard to read on a phone. 1,500 leaves room for the @mention in rooms.
 */
export const WECHAT_MAX_CHARS = 1_500

/** On shutdown, answers already queued get this long to go out before the puppet stops. */
const STOP_DRAIN_MS = 5_000

/** Money sent to the assistant: answered with `wechat.money_refused`. */
const MONEY_MESSAGE_TYPES = new Set([types.Message.RedEnvelope, types.Message.Transfer])

/** What a resident sends to show us something: answered with `media.unsupported`. Other kinds (recalls ...) are ignored. */
const UNSUPPORTED_MESSAGE_TYPES = new Set([
  types.Message.Image,
  types.Message.Audio,
  types.Message.Emoticon,
  types.Message.Video,
  types.Message.Attachment,
  types.Message.Location,
  types.Message.Url,
  types.Message.MiniProgram,
  types.Message.ChatHistory,
  types.Message.Contact,
])

export interface WechatAdapterOptions {
  wechaty: WechatyInterface
  pipeline: Pipeline
  translate: Translate
  logger: Logger
  /** To answer media in the resident's own language; without it, `defaultLocale`. */
  residents?: Pick<ResidentRepository, 'get'>
  defaultLocale?: Locale
  /** The send queue's pace and retries (tests make them fast). */
  queue?: Partial<SendQueueOptions>
  /** How long to wait before accepting a friend request. */
  friendDelay?: Partial<typeof WECHAT_FRIEND_DELAY_DEFAULTS>
  restart?: Partial<RestartOptions>
  /** Longest message sent; longer replies go out in pieces. */
  maxMessageChars?: number
  clock?: Clock
  /** Caseworkers' commands in their contact or staff room. */
  staffChat?: StaffChat
  /** Where the login QR code is drawn: the terminal by default. */
  qrOutput?: NodeJS.WritableStream
}

/** Where an answer goes: the resident's private chat, or the room they asked in, mentioning them. */
type Destination = { contact: Contact; room?: undefined } | { contact: Contact; room: Room }

/**
 * The WeChat adapter, over any wechaty puppet: residents' private messages are answered, room messages when the
 * assistant is mentioned; friend requests are accepted and welcomed. It knows WeChat and nothing of policy.
 */
export class WechatAdapter {
  readonly #bot: WechatyInterface
  readonly #pipeline: Pipeline
  readonly #t: Translate
  readonly #logger: Logger
  readonly #residents: Pick<ResidentRepository, 'get'> | undefined
  readonly #defaultLocale: Locale
  readonly #maxChars: number
  readonly #clock: Clock
  readonly #qrOutput: NodeJS.WritableStream
  readonly #queue: SendQueue<unknown>
  readonly #friendDelay: typeof WECHAT_FRIEND_DELAY_DEFAULTS
  readonly #restarts: RestartBackoff
  readonly #staffChat: StaffChat | undefined
  // One resident's messages are answered in the order they arrive, even when a room mention takes longer to read.
  readonly #inOrder = new KeyedMutex()
  readonly #inFlight = new Set<Promise<void>>()
  #running = false
  #restarting = false
  #restartFailed = false

  constructor(options: WechatAdapterOptions) {
    this.#bot = options.wechaty
    this.#pipeline = options.pipeline
    this.#t = options.translate
    this.#logger = options.logger.child({ channel: CHANNEL })
    this.#residents = options.residents
    this.#defaultLocale = options.defaultLocale ?? 'zh-CN'
    this.#maxChars = options.maxMessageChars ?? WECHAT_MAX_CHARS
    this.#clock = options.clock ?? systemClock
    this.#qrOutput = options.qrOutput ?? process.stdout
    this.#friendDelay = { ...WECHAT_FRIEND_DELAY_DEFAULTS, ...options.friendDelay }
    const transport = new WechatTransport(this.#bot, this.#maxChars, async (recipient) => this.#t(await this.#localeOf(recipient), 'choices.hint'))
    this.#queue = new SendQueue({
      channel: CHANNEL,
      transport,
      logger: this.#logger,
      options: { ...WECHAT_QUEUE_DEFAULTS, ...options.queue },
      onUnreachable: (recipient) => this.#unreachable(recipient),
    }) as SendQueue<unknown>
    this.#staffChat = options.staffChat
    this.#restarts = new RestartBackoff(options.restart ?? {}, () => void this.#restart())
    this.#listen()
  }

  /**
   * For the outbox and broadcasts: caseworkers' answers, return visits, staff notifications and notices to a WeChat
   * contact or room, through the same queue as every answer.
   */
  get sender(): ChannelSender {
    return this.#queue
  }

  /** Starts the puppet; the account logs in by scanning the QR code it logs (or from its saved session). */
  async start(): Promise<void> {
    this.#running = true
    await this.#bot.start()
  }

  /** Cancels any pending restart, lets queued answers go out (for a few seconds at most), and stops the puppet. */
  async stop(): Promise<void> {
    this.#running = false
    this.#restarts.cancel()
    const drained = Promise.allSettled([...this.#inFlight]).then(() => this.#queue.idle())
    let timer: NodeJS.Timeout | undefined
    await Promise.race([drained, new Promise((resolve) => (timer = setTimeout(resolve, STOP_DRAIN_MS)))])
    clearTimeout(timer)
    await this.#bot.stop()
  }

  #listen(): void {
    const bot = this.#bot
    bot.on('scan', (qrcode, status) => this.#onScan(qrcode, status))
    bot.on('login', (user) => {
      this.#restarts.reset()
      this.#logger.info({ account: user.name() }, 'WeChat logged in')
    })
    bot.on('logout', (user, reason) => {
      this.#logger.info({ account: user.name(), reason }, 'WeChat logged out')
      this.#scheduleRestart('logout')
    })
    // Without this listener an 'error' event would throw and end the process.
    bot.on('error', (error) => {
      this.#logger.warn({ err: error }, 'wechaty reported an error')
      if (this.#restarting) this.#restartFailed = true
      else if (!bot.isLoggedIn) this.#scheduleRestart('error')
    })
    bot.on('message', (message) => this.#track(this.#onMessage(message)))
    bot.on('friendship', (friendship) => this.#track(this.#onFriendship(friendship)))
  }

  #onScan(qrcode: string, status: types.ScanStatus): void {
    const waiting = status === types.ScanStatus.Waiting || status === types.ScanStatus.Timeout
    if (!waiting || !qrcode) {
      this.#logger.info({ status: types.ScanStatus[status] }, 'WeChat login QR code status')
      return
    }
    qrcodeTerminal.generate(qrcode, { small: true }, (drawing) => this.#qrOutput.write(`${drawing}\n`))
    const url = `https://wechaty.js.org/qrcode/${encodeURIComponent(qrcode)}`
    this.#logger.info({ url, status: types.ScanStatus[status] }, 'scan the QR code with the assistant\'s WeChat account to log in')
  }

  #scheduleRestart(reason: string): void {
    if (!this.#running || this.#restarting) return
    const delayMs = this.#restarts.schedule()
    if (delayMs !== undefined) this.#logger.warn({ reason, delayMs }, 'WeChat is not connected; restarting the puppet later')
  }

  async #restart(): Promise<void> {
    if (!this.#running) return
    this.#restarting = true
    this.#restartFailed = false
    try {
      await this.#bot.stop()
      // Errors while stopping a broken puppet are expected; only starting again counts.
      this.#restartFailed = false
      if (this.#running) await this.#bot.start()
    } catch (error) {
      this.#logger.error({ err: error }, 'restarting WeChat failed')
      this.#restartFailed = true
    } finally {
      this.#restarting = false
    }
    if (this.#restartFailed) this.#scheduleRestart('restart failed')
    else this.#logger.info('WeChat puppet restarted')
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => this.#logger.error({ err: error }, 'handling a WeChat event failed'))
    this.#inFlight.add(tracked)
    void tracked.finally(() => this.#inFlight.delete(tracked))
  }

  async #onMessage(message: Message): Promise<void> {
    if (!this.#running || message.self()) return
    const talker = message.talker()
    if (talker.type() === types.Contact.Official) return
    const room = message.room()
    // A caseworker's contact or staff room (from the settlement directory) is staff at work, not residents asking.
    const member = this.#staffChat?.memberFor(CHANNEL, room?.id ?? talker.id)
    if (member) return this.#inOrder.run(talker.id, () => this.#onStaffMessage(message, member, { contact: talker, room } as Destination))
    await this.#inOrder.run(talker.id, () => (room ? this.#onRoomMessage(message, talker, room) : this.#onPrivateMessage(message, talker)))
  }

  async #onPrivateMessage(message: Message, talker: Contact): Promise<void> {
    const type = message.type()
    const unsupported = MONEY_MESSAGE_TYPES.has(type) ? 'wechat.money_refused' : UNSUPPORTED_MESSAGE_TYPES.has(type) ? 'media.unsupported' : undefined
    if (unsupported) {
      this.#deliver({ contact: talker }, [this.#t(await this.#localeOf(talker.id), unsupported)])
      return
    }
    const text = message.text().trim()
    if (type !== types.Message.Text || !text) return
    await this.#answer(talker, text, { contact: talker })
  }

  /** In a room the assistant speaks only when spoken to, so that it does not talk over the residents. */
  async #onRoomMessage(message: Message, talker: Contact, room: Room): Promise<void> {
    if (message.type() !== types.Message.Text || !(await message.mentionSelf())) return
    const text = (await message.mentionText()).trim()
    // A bare mention is a call for help: the list of topics.
    await this.#answer(talker, text || '/help', { contact: talker, room })
  }

  /** Commands in a staff chat (a room acts for the staff member who listed it); WeChat has no buttons or quotes here. */
  async #onStaffMessage(message: Message, member: StaffMember, to: Destination): Promise<void> {
    const text = message.type() === types.Message.Text ? (to.room ? await message.mentionText() : message.text()).trim() : ''
    if (!text) return
    try {
      const replies = await this.#staffChat!.handle(member, text)
      this.#deliver(to, replies.map((reply) => reply.text))
    } catch (error) {
      this.#logger.error({ err: error, staff: member.id }, 'a WeChat staff command failed')
      this.#deliver(to, [this.#t('zh-CN', 'error.internal')])
    }
  }

  /** A new friend is welcomed as /start does on every channel: the greeting and the settlement question, numbered. */
  async #onFriendship(friendship: Friendship): Promise<void> {
    if (!this.#running || friendship.type() !== types.Friendship.Receive) return
    const contact = friendship.contact()
    const { minMs, maxMs } = this.#friendDelay
    await new Promise((resolve) => setTimeout(resolve, minMs + Math.random() * Math.max(0, maxMs - minMs)).unref())
    if (!this.#running) return
    await friendship.accept()
    this.#logger.info({ resident: residentKey(CHANNEL, contact.id) }, 'WeChat friend request accepted')
    await this.#inOrder.run(contact.id, () => this.#answer(contact, '/start', { contact }))
  }

  async #answer(talker: Contact, text: string, to: Destination): Promise<void> {
    let replies: string[]
    try {
      const ctx = await this.#pipeline.handle({
        channel: CHANNEL,
        channelUserId: talker.id,
        text,
        displayName: talker.name() || undefined,
        receivedAt: this.#clock.now(),
      })
      // WeChat has no buttons: choices become a numbered list, answered with the number.
      const hint = this.#t(ctx.locale, 'choices.hint')
      replies = ctx.replies.map((reply) => choicesAsText(reply, hint))
    } catch (error) {
      this.#logger.error({ err: error, resident: residentKey(CHANNEL, talker.id) }, 'a WeChat message could not be answered')
      replies = [this.#t(await this.#localeOf(talker.id), 'error.internal')]
    }
    this.#deliver(to, replies)
  }

  /** Queues the replies; the queue keeps the chat's order, paces, and retries from a failed piece. */
  #deliver(to: Destination, replies: string[]): void {
    const chat = to.room ?? to.contact
    replies.forEach((text, index) => {
      // In a room, the first message mentions the resident so that they see it is for them.
      const reply: WechatReply = to.room && index === 0 ? { text, mention: to.contact.id } : { text }
      void this.#queue.send(chat.id, reply, 'resident')
    })
  }

  /** A contact who is no longer a friend (deleted the assistant): notices skip them until they write again. */
  #unreachable(recipient: string): void {
    if (recipient.endsWith('@chatroom')) return
    this.#pipeline.residentUnreachable(CHANNEL, recipient).catch((failure: unknown) => {
      this.#logger.error({ err: failure, resident: residentKey(CHANNEL, recipient) }, 'could not mark the resident unreachable')
    })
  }

  async #localeOf(contactId: string): Promise<Locale> {
    try {
      return (await this.#residents?.get(residentKey(CHANNEL, contactId)))?.locale ?? this.#defaultLocale
    } catch {
      return this.#defaultLocale
    }
  }
}

/**
 * The Wechaty instance for the configured puppet, or undefined when WECHATY_PUPPET is unset (WeChat stays off).
 * The puppet package (wechaty-puppet-service, wechaty-puppet-padlocal ...) must be installed separately.
 * @example const wechaty = createWechaty(config); if (wechaty) await new WechatAdapter({ wechaty, ... }).start()
 */
export function createWechaty(config: Config): WechatyInterface | undefined {
  if (!config.WECHATY_PUPPET) return undefined
  // The login session (memory card) holds credentials: kept in the git-ignored data folder, not the working directory.
  mkdirSync(config.DATA_DIR, { recursive: true })
  return WechatyBuilder.build({
    name: path.join(config.DATA_DIR, 'anju'),
    // Any installed puppet package works at run time; the type lists only wechaty's official ones.
    puppet: config.WECHATY_PUPPET as OfficialPuppetNpmName,
    puppetOptions: config.WECHATY_PUPPET_TOKEN ? { token: config.WECHATY_PUPPET_TOKEN } : {},
  })
}
