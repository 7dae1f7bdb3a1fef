import { readFile } from 'node:fs/promises'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify'
import type { Logger } from '../../src/core/logger'
import { AnjuError, isAnjuError } from '../../src/core/errors'
import { choicesAsText } from '../../src/core/outbound'
import type { Translate } from '../../src/i18n'
import type { Pipeline } from '../../src/pipeline/pipeline'
import { chatRequestSchema, chatResponseJsonSchema } from './chat-schema'

export interface HttpServerOptions {
  pipeline: Pipeline
  translate: Translate
  logger: Logger
}

const WEB_CHAT_PAGE = new URL('./public/index.html', import.meta.url)

/** The body of every error answer: a stable code for programs, a message for people. */
function errorBody(statusCode: number, code: string, message: string) {
  return { statusCode, code, error: statusCode >= 500 ? 'Internal Server Error' : 'Bad Request', message }
}

/**
 * The HTTP adapter: the chat API, the web chat page and a health check, over the one pipeline.
 * It knows HTTP and nothing of policy.
 */
export async function buildHttpServer({ pipeline, translate, logger }: HttpServerOptions): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // A log line per request would cost a third of the throughput; the pipeline logs each message at debug.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
  })
  const page = await readFile(WEB_CHAT_PAGE, 'utf8')

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
    return reply.status(status).send({ ...errorBody(status, error.code ?? 'ANJU_ERR_BAD_REQUEST', error.message), error: 'Bad Request' })
  })
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ ...errorBody(404, 'ANJU_ERR_NOT_FOUND', `${request.method} ${request.url} does not exist`), error: 'Not Found' })
  })

  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page))

  app.post('/api/chat', { schema: { response: { 200: chatResponseJsonSchema } } }, async (request) => {
    const parsed = chatRequestSchema.safeParse(request.body)
    if (!parsed.success) {
      const reasons = parsed.error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
      throw new AnjuError('ANJU_ERR_BAD_REQUEST', reasons.join('; '))
    }
    const { userId, text, locale } = parsed.data
    const ctx = await pipeline.handle({ channel: 'http', channelUserId: userId, text, locale, receivedAt: new Date() })
    const seen = new Set<string>()
    const sources = ctx.sources
      .filter((source) => !seen.has(`${source.file}#${source.clause}`) && seen.add(`${source.file}#${source.clause}`))
      .map(({ file, clause }) => ({ file, clause }))
    // The API speaks plain text: choices become a numbered list the resident answers with a number.
    const hint = translate(ctx.locale, 'choices.hint')
    const replies = ctx.replies.map((reply) => ({ text: choicesAsText(reply, hint) }))
    return { intent: ctx.outcome.intent, confidence: ctx.outcome.confidence, replies, sources }
  })

  return app
}
