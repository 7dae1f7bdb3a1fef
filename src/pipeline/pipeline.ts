import { randomUUID } from 'node:crypto'
import { compose, type Middleware } from '../core/composer'
import { Context, type InboundMessage } from '../core/context'
import { AnjuError } from '../core/errors'
import type { Logger } from '../core/logger'
import type { Translate } from '../i18n'
import type { KnowledgeBase } from '../knowledge/loader'
import type { Locale } from '../knowledge/schemas'
import type { IntentMatcher } from '../matcher/matcher'
import type { ConversationRepository } from '../store/types'
import { AnswerComposer } from './answer'
import { resolveLocale } from './locale'

export interface PipelineOptions {
  kb: KnowledgeBase
  matcher: IntentMatcher
  translate: Translate
  conversations: ConversationRepository
  logger: Logger
  defaultLocale: Locale
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
      locale: ctx.locale,
      text: message.text,
      intent: outcome.intent,
      confidence: outcome.confidence,
      fallback: outcome.fallback,
      replies: ctx.replies.map((reply) => reply.text),
    }
    try {
      await conversations.record(turn)
    } catch (error) {
      throw new AnjuError('ANJU_ERR_STORE', 'the conversation could not be recorded', { cause: error })
    }
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

function understandAndAnswer(matcher: IntentMatcher, composer: AnswerComposer, logger: Logger): Middleware {
  return async (ctx, next) => {
    const match = matcher.match(ctx.message.text)
    ctx.outcome = { intent: match.intent, confidence: match.confidence, fallback: false }
    composer.answer(ctx, match)
    logger.debug({ resident: ctx.residentKey, text: ctx.message.text, intent: match.intent, confidence: match.confidence, refusal: match.refusal }, 'matched')
    await next()
  }
}

/** adapter → pipeline → matcher → handler → replies. Adapters call `handle` and send `ctx.replies`. */
export class Pipeline {
  readonly #run: Middleware
  readonly #defaultLocale: Locale

  constructor(options: PipelineOptions) {
    this.#defaultLocale = options.defaultLocale
    const composer = new AnswerComposer(options.kb, options.translate)
    this.#run = compose([
      recordTurn(options.conversations),
      errorBoundary(options.logger, options.translate),
      understandAndAnswer(options.matcher, composer, options.logger),
    ])
  }

  async handle(message: InboundMessage): Promise<Context> {
    const ctx = new Context(message, resolveLocale(message.text, message.locale, this.#defaultLocale))
    await this.#run(ctx, async () => {})
    return ctx
  }
}
