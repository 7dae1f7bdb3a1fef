import { randomUUID } from 'node:crypto'
import { DEFAULTS } from '../config/env'
import { systemClock, type Clock } from '../core/clock'
import { compose, type Middleware } from '../core/composer'
import { Context, type InboundMessage } from '../core/context'
import { AnjuError } from '../core/errors'
import type { Logger } from '../core/logger'
import type { Translate } from '../i18n'
import type { KnowledgeBase } from '../knowledge/loader'
import type { Locale } from '../knowledge/schemas'
import type { IntentMatcher } from '../matcher/matcher'
import { KeyedMutex } from '../core/keyed-mutex'
import type { ResidentLock } from '../store/postgres/resident-lock'
import { MemoryOfferedChoices } from '../store/memory/offered-choices'
import { residentKey, type ConversationRepository, type OfferedChoicesStore, type ResidentProfile, type ResidentRepository } from '../store/types'
import { AnswerComposer, type Citation } from './answer'
import type { TicketService } from '../escalation/ticket-service'
import { ConversationCommands, resolveChoice } from './commands'
import { DemandConversation, DemandMemory } from './demands'
import { CheckConversation } from '../dialogue/check-conversation'
import { resolveLocale } from './locale'
import { NoticeConversation } from '../broadcast/notice-conversation'
import type { NoticeService } from '../broadcast/notice-service'
import { TokenBuckets } from './rate-limit'

export interface PipelineOptions {
  kb: KnowledgeBase
  matcher: IntentMatcher
  translate: Translate
  conversations: ConversationRepository
  residents: ResidentRepository
  /** The demand desk; without it, escalation questions get the topic's answer only. */
  tickets?: TicketService
  /** Broadcast notices: "最近有什么通知" lists the active ones. Subscribing works without it. */
  notices?: Pick<NoticeService, 'activeFor'>
  logger: Logger
  defaultLocale: Locale
  /** A pre-check left this long ends (DIALOGUE_IDLE_MINUTES); 30 by default. */
  dialogueIdleMinutes?: number
  /** A resident who was unreachable (blocked the bot) came back: what waited for them is delivered now. */
  onResidentReturned?: (channel: string, channelUserId: string) => Promise<void>
  /** Whether a channel can deliver later messages (it has a running sender); none can by default. */
  canPush?: (channel: string) => boolean
  /** Messages per resident: a burst, then so many a minute (CHAT_RATE_BURST, CHAT_RATE_PER_MINUTE). */
  rateLimit?: { burst: number; perMinute: number }
  /** New tickets raised from one network address in an hour (TICKETS_PER_ADDRESS_PER_HOUR); urgent ones always pass. */
  ticketsPerAddressPerHour?: number
  /** The time the rate limit counts in. */
  clock?: Clock
  /** Serialises one resident's messages across instances (PostgreSQL's advisory locks); this process's own queue without it. */
  residentLock?: ResidentLock
  /** The choices last offered to each resident; in this process's memory by default. */
  offeredChoices?: OfferedChoicesStore
}

/** Stores every turn after it is answered; a storage failure propagates so the caller can retry. */
function recordTurn(conversations: ConversationRepository): Middleware {
  return async (ctx, next) => {
    await next()
    const { message, outcome } = ctx
    const turn = {
      id: randomUUID(),
      at: message.receivedAt.toISOString(),
      channel: message.channel,
      channelUserId: message.channelUserId,
      ...(ctx.resident.settlementId ? { settlementId: ctx.resident.settlementId } : {}),
      locale: ctx.locale,
      text: message.text,
      intent: outcome.intent,
      confidence: outcome.confidence,
      fallback: outcome.fallback,
      replies: ctx.replies.map((reply) => reply.text),
    }
    await storing('conversation', () => conversations.record(turn))
  }
}

/** A failure while answering becomes a polite reply; the resident is never left without one. */
function errorBoundary(logger: Logger, translate: Translate): Middleware {
  return async (ctx, next) => {
    try {
      await next()
    } catch (error) {
      logger.error({ err: error, resident: ctx.residentKey, text: ctx.message.text }, 'answering failed')
      ctx.replies.length = 0
      ctx.sources.length = 0
      ctx.outcome = { intent: null, confidence: 0, fallback: true }
      ctx.reply(translate(ctx.locale, 'error.internal'))
    }
  }
}

function understand(matcher: IntentMatcher, logger: Logger): Middleware {
  return async (ctx, next) => {
    const match = matcher.match(ctx.message.text)
    ctx.match = match
    ctx.outcome = { intent: match.intent, confidence: match.confidence, fallback: false }
    logger.debug({ resident: ctx.residentKey, text: ctx.message.text, intent: match.intent, confidence: match.confidence, refusal: match.refusal }, 'matched')
    await next()
  }
}

function answer(composer: AnswerComposer): Middleware {
  return async (ctx, next) => {
    composer.answer(ctx, ctx.match!)
    await next()
  }
}

function newResident(message: InboundMessage): ResidentProfile {
  const now = message.receivedAt.toISOString()
  return {
    key: residentKey(message.channel, message.channelUserId),
    channel: message.channel,
    channelUserId: message.channelUserId,
    notices: false,
    tags: [],
    blocked: false,
    createdAt: now,
    updatedAt: now,
  }
}

/** Wraps a storage failure so that the caller answers "try again" and nothing is silently lost. */
async function storing<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw new AnjuError('ANJU_ERR_STORE', `the ${what} could not be stored`, { cause: error })
  }
}

/** adapter → pipeline → matcher → handler → replies. Adapters call `handle` and send `ctx.replies`. */
export class Pipeline {
  /** What answers, rebuilt on a knowledge reload: the middleware chain and the composer citing its sources. */
  #answering: { run: Middleware; composer: AnswerComposer; translate: Translate }
  readonly #options: PipelineOptions
  readonly #defaultLocale: Locale
  readonly #residents: ResidentRepository
  readonly #canPush: (channel: string) => boolean
  readonly #oneAtATime = new KeyedMutex()
  readonly #residentLock: ResidentLock
  readonly #offered: OfferedChoicesStore
  readonly #onReturned?: (channel: string, channelUserId: string) => Promise<void>
  /** Residents' recent lines, kept across a knowledge reload so that the next ticket still carries them. */
  readonly #demandMemory = new DemandMemory()
  /** Asked before anything else and kept across a knowledge reload: residents' allowances are not reset by one. */
  readonly #allowance: TokenBuckets
  /** New tickets per network address, kept across a knowledge reload too. */
  readonly #addressTickets: TokenBuckets
  readonly #logger: Logger

  constructor(options: PipelineOptions) {
    this.#options = options
    this.#defaultLocale = options.defaultLocale
    this.#residents = options.residents
    this.#offered = options.offeredChoices ?? new MemoryOfferedChoices()
    const logger = options.logger
    // Delivering what waited must never break answering the resident's message.
    this.#onReturned = options.onResidentReturned && ((channel, id) => options.onResidentReturned!(channel, id)
      .catch((error: unknown) => logger.error({ err: error, resident: residentKey(channel, id) }, 'releasing held messages failed')))
    this.#canPush = options.canPush ?? (() => false)
    // In order here first, then across instances: one lock (and its connection) per resident at a time.
    const acrossInstances = options.residentLock
    this.#residentLock = (key, work) => this.#oneAtATime.run(key, acrossInstances ? () => acrossInstances(key, work) : work)
    this.#logger = logger
    const clock = options.clock ?? systemClock
    this.#allowance = new TokenBuckets({
      ...(options.rateLimit ?? { burst: DEFAULTS.CHAT_RATE_BURST, perMinute: DEFAULTS.CHAT_RATE_PER_MINUTE }),
      clock,
    })
    const perHour = options.ticketsPerAddressPerHour ?? DEFAULTS.TICKETS_PER_ADDRESS_PER_HOUR
    this.#addressTickets = new TokenBuckets({ burst: perHour, perMinute: perHour / 60, clock })
    this.#answering = this.#compose(options)
  }

  /**
   * Answers with an edited knowledge base from the next message on, without a restart: messages being answered
   * finish with the old one. What residents are in the middle of is on their profiles and carries over.
   */
  replaceKnowledge(knowledge: Pick<PipelineOptions, 'kb' | 'matcher' | 'translate'>): void {
    this.#answering = this.#compose({ ...this.#options, ...knowledge })
  }

  #compose(options: PipelineOptions): { run: Middleware; composer: AnswerComposer; translate: Translate } {
    const composer = new AnswerComposer(options.kb, options.translate)
    const commands = new ConversationCommands(options.kb, options.translate, composer)
    const demands = options.tickets && new DemandConversation(options.tickets, options.kb, options.translate, (ctx) => commands.askSettlement(ctx), this.#demandMemory, this.#addressTickets)
    if (demands) commands.onSettlementSaved = (ctx) => demands.afterSettlement(ctx)
    const checks = new CheckConversation({
      kb: options.kb,
      translate: options.translate,
      sourceText: (sources, locale) => composer.sourceText(sources, locale),
      demands,
      idleMinutes: options.dialogueIdleMinutes,
    })
    const notices = new NoticeConversation({
      kb: options.kb,
      translate: options.translate,
      activeFor: options.notices && ((resident) => options.notices!.activeFor(resident)),
      askSettlement: (ctx) => commands.askSettlement(ctx),
    })
    const run = compose([
      recordTurn(options.conversations),
      errorBoundary(options.logger, options.translate),
      resolveChoice,
      commands.middleware,
      notices.middleware,
      understand(options.matcher, options.logger),
      checks.middleware,
      ...(demands ? [demands.middleware] : []),
      notices.listing,
      answer(composer),
    ])
    return { run, composer, translate: options.translate }
  }

  /** Handles one message; messages of one resident are handled one after another, in arrival order. */
  handle(message: InboundMessage): Promise<Context> {
    const key = residentKey(message.channel, message.channelUserId)
    const allowance = this.#allowance.take(key)
    if (!allowance.allowed) return this.#throttled(message, allowance.tellWaitSeconds)
    return this.#residentLock(key, async () => {
      const stored = await storing('resident profile', () => this.#residents.get(key))
      const resident = stored ?? newResident(message)
      const ctx = new Context(message, resolveLocale(message, resident.locale, this.#defaultLocale), resident)
      ctx.offeredChoices = await storing('offered choices', () => this.#offered.get(key))
      ctx.canPush = this.#canPush(message.channel)
      ctx.saveResidentNow = () => storing('resident profile', () => this.#residents.save({ ...ctx.resident, updatedAt: message.receivedAt.toISOString() }))
      // A language the resident picked (the web page's switch) is theirs from now on: relays and notices use it too.
      if (message.locale && message.locale !== resident.locale) ctx.updateResident({ locale: message.locale })
      // Writing again is the sign that a resident who blocked the bot has come back.
      const returned = resident.blocked
      if (returned) ctx.updateResident({ blocked: false })
      if (message.displayName && message.displayName !== resident.displayName) ctx.updateResident({ displayName: message.displayName })
      await this.#answering.run(ctx, async () => {})
      await this.#rememberChoices(ctx)
      // A profile unchanged for a day is saved anyway: its time says the resident is still here (retention).
      const seenLongAgo = message.receivedAt.getTime() - Date.parse(ctx.resident.updatedAt) >= 86_400_000
      if (!stored || ctx.residentChanged || seenLongAgo) {
        ctx.resident.updatedAt = message.receivedAt.toISOString()
        await storing('resident profile', () => this.#residents.save(ctx.resident))
      }
      if (returned) await this.#onReturned?.(message.channel, message.channelUserId)
      return ctx
    })
  }

  /**
   * A message over the resident's allowance is not queued, understood, answered or recorded. Only when the resident
   * is to be told to wait (once a minute) is their profile read, for the language to say it in.
   */
  async #throttled(message: InboundMessage, tellWaitSeconds: number | undefined): Promise<Context> {
    const key = residentKey(message.channel, message.channelUserId)
    const resident = tellWaitSeconds === undefined ? undefined : await storing('resident profile', () => this.#residents.get(key))
    const ctx = new Context(message, resolveLocale(message, resident?.locale, this.#defaultLocale), resident ?? newResident(message))
    ctx.throttled = true
    if (tellWaitSeconds !== undefined) {
      ctx.reply(this.#answering.translate(ctx.locale, 'rate.wait', { seconds: tellWaitSeconds }))
      this.#logger.info({ resident: key, channel: message.channel }, 'resident over the message rate limit: not answered')
    }
    return ctx
  }

  /** The platform says a resident who had blocked the bot unblocked it: unmarked, and what waited is delivered. */
  residentReturned(channel: string, channelUserId: string): Promise<void> {
    const key = residentKey(channel, channelUserId)
    return this.#residentLock(key, async () => {
      const resident = await storing('resident profile', () => this.#residents.get(key))
      if (resident?.blocked) await storing('resident profile', () => this.#residents.save({ ...resident, blocked: false, updatedAt: new Date().toISOString() }))
      await this.#onReturned?.(channel, channelUserId)
    })
  }

  /** A turn's sources as residents read them, each once: title and clause, with the file it cites. */
  citations(ctx: Context): Citation[] {
    return this.#answering.composer.citations(ctx.sources, ctx.locale)
  }

  /**
   * An adapter reports that the platform refuses delivery to a resident (they blocked the bot):
   * they are marked, so that notices skip them, until they write again.
   */
  residentUnreachable(channel: string, channelUserId: string): Promise<void> {
    const key = residentKey(channel, channelUserId)
    return this.#residentLock(key, async () => {
      const resident = await storing('resident profile', () => this.#residents.get(key))
      if (!resident || resident.blocked) return
      await storing('resident profile', () => this.#residents.save({ ...resident, blocked: true, updatedAt: new Date().toISOString() }))
    })
  }

  /**
   * The choices offered in this turn are what a number in the resident's next message refers to. Not on the
   * profile: a profile write on nearly every turn would cost more. Written only when they change from what was
   * offered before, so a turn that offers nothing after a turn that offered nothing writes nothing.
   */
  async #rememberChoices(ctx: Context): Promise<void> {
    const offered = ctx.replies.flatMap((reply) => reply.choices ?? []).map((choice) => choice.value)
    if (offered.length === 0 && !ctx.offeredChoices) return
    await storing('offered choices', () => this.#offered.set(ctx.residentKey, offered.length ? offered : undefined))
  }

}
