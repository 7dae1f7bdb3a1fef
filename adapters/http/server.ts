import { readFile } from 'node:fs/promises'
import { STATUS_CODES } from 'node:http'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify'
import type { Logger } from '../../src/core/logger'
import { AnjuError, isAnjuError } from '../../src/core/errors'
import { choicesAsText } from '../../src/core/outbound'
import type { Translate } from '../../src/i18n'
import { LOCALES, type Locale } from '../../src/knowledge/schemas'
import type { Pipeline } from '../../src/pipeline/pipeline'
import type { DemandDesk } from '../../src/assistant'
import type { NoticeService } from '../../src/broadcast/notice-service'
import type { ConversationRepository } from '../../src/store/types'
import type { Config } from '../../src/config/env'
import { hardening, hardeningOptions, serverOptions } from './hardening'
import { chatRequestSchema, chatResponseJsonSchema, inboxQuery } from './chat-schema'
import { noticeApi } from './notice-api'
import { staffApi } from './staff-api'
import { parse as parseBody } from './validate'

export interface HttpServerOptions {
  pipeline: Pipeline
  translate: Translate
  logger: Logger
  /** With a demand desk: the staff API, and the web chat's inbox for caseworkers' answers. */
  desk?: DemandDesk
  conversations?: ConversationRepository
  /** With the demand desk: the notices API. */
  broadcast?: NoticeService
  /** Rate limits and timeouts (HTTP_*, TRUST_PROXY); the named defaults without it. */
  config?: Config
}

const WEB_CHAT_PAGE = new URL('./public/index.html', import.meta.url)

/** The body of every error answer: a stable code for programs, a message for people. */
function errorBody(statusCode: number, code: string, message: string) {
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message }
}

/**
 * The HTTP adapter: the chat API, the web chat page and a health check, over the one pipeline.
 * It knows HTTP and nothing of policy.
 */
export async function buildHttpServer({ pipeline, translate, logger, desk, conversations, broadcast, config }: HttpServerOptions): Promise<FastifyInstance> {
  const limits = hardeningOptions(config)
  const app: FastifyInstance = Fastify({
    ...serverOptions(limits),
    loggerInstance: logger as FastifyBaseLogger,
    // A log line per request would cost a third of the throughput; the pipeline logs each message at debug.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
  })
  await app.register(hardening, limits)
  const page = await readFile(WEB_CHAT_PAGE, 'utf8')
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

  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page))

  app.post('/api/chat', { schema: { response: { 200: chatResponseJsonSchema } } }, async (request) => {
    const { userId, text, locale } = parseBody(chatRequestSchema, request.body)
    const ctx = await pipeline.handle({ channel: 'http', channelUserId: userId, text, locale, receivedAt: new Date() })
    const seen = new Set<string>()
    const sources = ctx.sources
      .filter((source) => !seen.has(`${source.file}#${source.clause}`) && seen.add(`${source.file}#${source.clause}`))
      .map(({ file, clause }) => ({ file, clause }))
    // The API speaks plain text: choices become a numbered list the resident answers with a number.
    const hint = hints[ctx.locale]
    const replies = ctx.replies.map((reply) => ({ text: choicesAsText(reply, hint) }))
    return { intent: ctx.outcome.intent, confidence: ctx.outcome.confidence, replies, sources }
  })

  if (desk && conversations) {
    await app.register(staffApi, { desk, conversations })
    if (broadcast) await app.register(noticeApi, { desk, broadcast })
    // The web chat cannot be pushed to: it asks here for caseworkers' answers and return visits.
    app.get('/api/inbox', async (request) => {
      const { userId } = parseBody(inboxQuery, request.query)
      const hint = hints['zh-CN']
      const items = await desk.outbox.collect('http', userId)
      return { replies: items.map((item) => ({ text: choicesAsText(item, hint) })) }
    })
  }

  return app
}
