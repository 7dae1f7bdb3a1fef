import { STATUS_CODES } from 'node:http'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify'
import type { Logger } from '../../src/core/logger'
import { AnjuError, isAnjuError } from '../../src/core/errors'
import { choicesAsText } from '../../src/core/outbound'
import type { Translate } from '../../src/i18n'
import { LOCALES, type Locale } from '../../src/knowledge/schemas'
import type { Pipeline } from '../../src/pipeline/pipeline'
import type { DemandDesk, KnowledgeSource, WebChatStores } from '../../src/assistant'
import { systemClock } from '../../src/core/clock'
import type { KnowledgeBase } from '../../src/knowledge/loader'
import type { NoticeService } from '../../src/broadcast/notice-service'
import type { StoreSet } from '../../src/store/stores'
import type { ConversationRepository, ResidentRepository } from '../../src/store/types'
import type { Config } from '../../src/config/env'
import { chatRequestSchema, chatResponseJsonSchema } from './chat-schema'
import { registerConsole } from './console/console-plugin'
import { hardening, hardeningOptions, serverOptions } from './hardening'
import { noticeApi } from './notice-api'
import { addSecurityHeaders } from './security-headers'
import { staffApi } from './staff-api'
import { parse as parseBody } from './validate'
import { webChat } from './web-chat/plugin'

export interface HttpServerOptions {
  pipeline: Pipeline
  translate: Translate
  logger: Logger
  /** The topics, for the web page's chips. */
  kb: Pick<KnowledgeBase, 'topics'>
  /** The web chat's identities and conversations. */
  web: WebChatStores
  /** With a demand desk: the staff API, and the web channel for caseworkers' answers and notices. */
  desk?: DemandDesk
  conversations?: ConversationRepository
  residents?: ResidentRepository
  /** With the demand desk: the notices API. */
  broadcast?: NoticeService
  /** With the demand desk and the residents: the staff console at /console. */
  knowledge?: KnowledgeSource
  /** Staff console sessions end after this long unused (CONSOLE_IDLE_MINUTES). */
  consoleIdleMinutes?: number
  /** The stores: on PostgreSQL they hold the console's sessions, so that every instance accepts them. */
  stores?: Pick<StoreSet, 'openConsoleSessions'>
  /** Rate limits and timeouts (HTTP_*, TRUST_PROXY); the named defaults without it. */
  config?: Config
}

/** The body of every error answer: a stable code for programs, a message for people. */
function errorBody(statusCode: number, code: string, message: string) {
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message }
}

/**
 * The HTTP adapter: the chat API, the web chat page and a health check, over the one pipeline.
 * It knows HTTP and nothing of policy.
 */
export async function buildHttpServer({ pipeline, translate, logger, kb, web, desk, conversations, residents, broadcast, knowledge, consoleIdleMinutes, stores, config }: HttpServerOptions): Promise<FastifyInstance> {
  const limits = hardeningOptions(config)
  const app: FastifyInstance = Fastify({
    ...serverOptions(limits),
    loggerInstance: logger as FastifyBaseLogger,
    // A log line per request would cost a third of the throughput; the pipeline logs each message at debug.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
  })
  await app.register(hardening, limits)
  const hints = Object.fromEntries(LOCALES.map((locale) => [locale, translate(locale, 'choices.hint')])) as Record<Locale, string>

  app.setErrorHandler((error: FastifyError | AnjuError, request, reply) => {
    if (isAnjuError(error)) {
      if (error.statusCode >= 500) request.log.error({ err: error }, 'request failed')
      return reply.status(error.statusCode).send(errorBody(error.statusCode, error.code, error.message))
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed')
      return reply.status(500).send(errorBody(500, 'ANJU_ERR_INTERNAL', 'Something went wrong on our side'))
    }
    return reply.status(status).send(errorBody(status, error.code ?? 'ANJU_ERR_BAD_REQUEST', error.message))
  })
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorBody(404, 'ANJU_ERR_NOT_FOUND', `${request.method} ${request.url} does not exist`))
  })

  addSecurityHeaders(app)
  app.get('/healthz', async () => ({ status: 'ok' }))
  await app.register(webChat, { pipeline, translate, topics: kb.topics.values(), stores: web, clock: desk?.clock ?? systemClock, outbox: desk?.outbox })

  app.post('/api/chat', { schema: { response: { 200: chatResponseJsonSchema } } }, async (request) => {
    const { userId, text, locale, button } = parseBody(chatRequestSchema, request.body)
    const ctx = await pipeline.handle({ channel: 'http', channelUserId: userId, text, locale, ...(button ? { button } : {}), origin: request.ip, receivedAt: new Date() })
    const sources = pipeline.citations(ctx)
    // The API speaks plain text: choices become a numbered list the resident answers with a number.
    const hint = hints[ctx.locale]
    const replies = ctx.replies.map((reply) => ({ text: choicesAsText(reply, hint), ...(reply.promptId ? { promptId: reply.promptId } : {}) }))
    return { intent: ctx.outcome.intent, confidence: ctx.outcome.confidence, replies, sources }
  })

  if (desk && residents && knowledge) await registerConsole(app, { desk, residents, knowledge, idleMinutes: consoleIdleMinutes, openSessions: stores?.openConsoleSessions })
  if (desk && conversations) {
    await app.register(staffApi, { desk, conversations, residents })
    if (broadcast) await app.register(noticeApi, { desk, broadcast })
  }

  return app
}
