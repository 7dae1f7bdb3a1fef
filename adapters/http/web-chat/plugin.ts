import fastifyCookie from '@fastify/cookie'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { WebChatStores } from '../../../src/assistant'
import type { Clock } from '../../../src/core/clock'
import { AnjuError } from '../../../src/core/errors'
import type { OutboxDispatcher } from '../../../src/escalation/outbox'
import type { Translate } from '../../../src/i18n'
import type { Topic } from '../../../src/knowledge/schemas'
import type { Pipeline } from '../../../src/pipeline/pipeline'
import type { NewWebEntry, WebPushListener } from '../../../src/store/types'
import { SECURITY_HEADERS } from '../security-headers'
import { parse } from '../validate'
import { WebIdentities } from './identity'
import { loadWebPage } from './page'
import { entryEvent, WebPushHub } from './push-hub'
import { eventsQuery, readRequestSchema, webChatRequestSchema } from './schema'
import { webSender } from './web-sender'

export const WEB_CHANNEL = 'web'

/** The host an Origin header names; a malformed one (or "null", from a sandboxed frame) names none. */
function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host
  } catch {
    return undefined
  }
}

export const WEB_CHAT_DEFAULTS = {
  /** The cookie the browser keeps its token in: HttpOnly, so no script on the page can read it. */
  cookie: 'anju_web',
  /** 400 days: the longest a browser keeps a cookie; every visit renews it. */
  cookieMaxAgeSeconds: 400 * 24 * 3600,
}

export interface WebChatOptions {
  pipeline: Pipeline
  translate: Translate
  topics: Iterable<Topic>
  stores: WebChatStores
  clock: Clock
  /** With the demand desk: the web channel is registered there, so answers and notices reach web residents. */
  outbox?: OutboxDispatcher
}

/**
 * The web chat as a channel: the page, an identity the server issues (a token in an HttpOnly cookie), the
 * conversation kept per resident, and pushes (caseworkers' answers, return visits, notices) as server-sent events.
 * Routes under /api/web/ act only for the resident whose token the request carries.
 */
export async function webChat(app: FastifyInstance, options: WebChatOptions): Promise<void> {
  const { pipeline, stores, clock } = options
  const identities = new WebIdentities(stores.identities, clock)
  const hub = new WebPushHub()
  const { page, assets } = await loadWebPage(options.translate, options.topics)
  // With several instances, what this one delivers is announced to the others' pages too (not to its own twice).
  const announce = stores.relayPushes?.((residentId, entries) => hub.publish(residentId, entries))
  const publish: WebPushListener = (residentId, entries) => {
    hub.publish(residentId, entries)
    announce?.(residentId, entries)
  }
  options.outbox?.register(WEB_CHANNEL, webSender(stores.history, publish, clock))
  app.addHook('preClose', async () => hub.closeAll())

  await app.register(fastifyCookie)

  const tokenOf = (request: FastifyRequest) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1]
    return bearer ?? request.cookies[WEB_CHAT_DEFAULTS.cookie]
  }
  const residentOf = async (request: FastifyRequest) => {
    const residentId = await identities.resolve(tokenOf(request))
    if (!residentId) throw new AnjuError('ANJU_ERR_WEB_IDENTITY')
    return residentId
  }
  const setCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(WEB_CHAT_DEFAULTS.cookie, token, {
      path: '/', httpOnly: true, sameSite: 'strict', secure: 'auto', maxAge: WEB_CHAT_DEFAULTS.cookieMaxAgeSeconds,
    })

  // A page of another site may not make a resident's browser act: the cookie is SameSite=Strict, and a request
  // that says it comes from another origin is refused.
  app.addHook('onRequest', async (request) => {
    const origin = request.headers.origin
    if (request.method === 'GET' || !origin || !request.url.startsWith('/api/web/')) return
    if (hostOf(origin) !== request.headers.host) throw new AnjuError('ANJU_ERR_FORBIDDEN', 'requests from another site are refused')
  })

  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page))
  for (const [route, asset] of assets) {
    app.get(route, async (_request, reply) => reply.type(asset.type).header('cache-control', 'public, max-age=300').send(asset.body))
  }

  /** The resident this browser is: kept (and the cookie renewed) when its token is known, else a new one. */
  app.post('/api/web/session', async (request, reply) => {
    const token = tokenOf(request)
    if (token && (await identities.resolve(token))) {
      setCookie(reply, token)
      return { resident: 'known' }
    }
    setCookie(reply, (await identities.issue()).token)
    return reply.status(201).send({ resident: 'new' })
  })

  app.get('/api/web/history', async (request) => stores.history.read(await residentOf(request)))

  app.post('/api/web/read', async (request) => {
    const residentId = await residentOf(request)
    return { readUpTo: await stores.history.markRead(residentId, parse(readRequestSchema, request.body).upTo) }
  })

  app.post('/api/web/chat', async (request) => {
    const residentId = await residentOf(request)
    const { text, button, locale } = parse(webChatRequestSchema, request.body)
    const receivedAt = clock.now()
    const ctx = await pipeline.handle({
      channel: WEB_CHANNEL, channelUserId: residentId, text: button?.value ?? text!, locale, receivedAt, origin: request.ip, ...(button ? { button } : {}),
    })
    const citations = pipeline.citations(ctx)
    // Under the answer, the sources its text does not already name (a policy answer ends with its own).
    const said = ctx.replies.map((reply) => reply.text).join('\n')
    const unsaid = citations.filter((c) => !said.includes(c.text)).map((c) => c.text)
    const entries: NewWebEntry[] = [
      { from: 'resident', kind: 'message', text: text ?? button!.value },
      ...ctx.replies.map((reply, index): NewWebEntry => ({
        from: 'assistant',
        kind: 'reply',
        text: reply.text,
        ...(reply.choices?.length ? { choices: reply.choices } : {}),
        ...(reply.promptId ? { promptId: reply.promptId } : {}),
        ...(index === ctx.replies.length - 1 && unsaid.length ? { sources: unsaid } : {}),
      })),
    ]
    return {
      intent: ctx.outcome.intent,
      confidence: ctx.outcome.confidence,
      locale: ctx.locale,
      entries: await stores.history.append(residentId, entries, receivedAt),
      sources: citations,
    }
  })

  /**
   * What is pushed to the resident from now on, after the pushed entries they missed since `after` (or the
   * browser's Last-Event-ID on a reconnect). Reading the stream changes nothing: the page says what it showed.
   */
  app.get('/api/web/events', async (request, reply) => {
    const residentId = await residentOf(request)
    const lastEventId = Number(request.headers['last-event-id'])
    const after = Math.max(parse(eventsQuery, request.query).after, Number.isInteger(lastEventId) ? lastEventId : 0)
    reply.hijack()
    const stream = reply.raw
    stream.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx and similar proxies would otherwise hold events back in their buffers.
      'x-accel-buffering': 'no',
    })
    stream.write(`retry: ${hub.retryMs}\n\n`)
    // Subscribed before the missed entries are read: one delivered in between comes twice, and the page drops
    // the copy by its seq, rather than never.
    const unsubscribe = hub.subscribe(residentId, stream)
    stream.on('close', unsubscribe)
    stream.on('error', unsubscribe)
    try {
      const missed = (await stores.history.read(residentId)).entries.filter((entry) => entry.kind === 'push' && entry.seq > after)
      stream.write(missed.map(entryEvent).join(''))
    } catch (error) {
      // The answer has begun: end the stream, and the browser reconnects after `retry`.
      request.log.error({ err: error }, 'web chat: missed entries could not be read')
      stream.end()
    }
  })
}
