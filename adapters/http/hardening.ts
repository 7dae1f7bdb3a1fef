import rateLimit from '@fastify/rate-limit'
import type { Server } from 'node:http'
import type { FastifyHttpOptions, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { DEFAULTS, type Config } from '../../src/config/env'
import { AnjuError } from '../../src/core/errors'

/** How the HTTP server protects itself from floods and from slow or idle connections. */
export interface HttpHardeningOptions {
  /** Requests per client address, across the rate-limited routes, in one window. */
  rateLimitMax: number
  rateLimitWindowMs: number
  /** Routes under these prefixes share the per-address limit; the web page, static files and health check do not. */
  limitedPrefixes: string[]
  /** Time to receive a whole request (headers and body): a slower one gets 408 and is closed. */
  requestTimeoutMs: number
  /** A socket with no traffic this long is closed, whatever it was doing. */
  connectionTimeoutMs: number
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number
  maxRequestsPerSocket: number
  /** Connections beyond this are refused at once, before they can use up the process's file descriptors. */
  maxConnections: number
  /** Which proxies to believe for the client address; false: the socket's peer is the client. */
  trustProxy: boolean | number | string[]
}

type HardeningConfig = Pick<Config,
  'HTTP_RATE_LIMIT_MAX' | 'HTTP_RATE_LIMIT_WINDOW_SECONDS' | 'HTTP_REQUEST_TIMEOUT_MS' | 'HTTP_CONNECTION_TIMEOUT_MS' |
  'HTTP_KEEP_ALIVE_TIMEOUT_MS' | 'HTTP_MAX_REQUESTS_PER_SOCKET' | 'HTTP_MAX_CONNECTIONS' | 'TRUST_PROXY'>

const HARDENING_DEFAULTS = {
  limitedPrefixes: ['/api/'],
  /** Client addresses counted at once (least recently seen forgotten first). */
  addressesKept: 10_000,
  /** How often Node checks requests against their timeouts, at most (it is 30 s by default). */
  timeoutCheckMs: 1_000,
}

/** The options from the configuration (the named defaults without one). */
export function hardeningOptions(config?: HardeningConfig): HttpHardeningOptions {
  const c = config ?? { ...DEFAULTS, TRUST_PROXY: false }
  return {
    rateLimitMax: c.HTTP_RATE_LIMIT_MAX,
    rateLimitWindowMs: c.HTTP_RATE_LIMIT_WINDOW_SECONDS * 1000,
    limitedPrefixes: HARDENING_DEFAULTS.limitedPrefixes,
    requestTimeoutMs: c.HTTP_REQUEST_TIMEOUT_MS,
    connectionTimeoutMs: c.HTTP_CONNECTION_TIMEOUT_MS,
    keepAliveTimeoutMs: c.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    maxRequestsPerSocket: c.HTTP_MAX_REQUESTS_PER_SOCKET,
    maxConnections: c.HTTP_MAX_CONNECTIONS,
    trustProxy: c.TRUST_PROXY,
  }
}

/** Timeouts and proxy trust, which fastify takes at construction: `Fastify({ ...serverOptions(o) })`. */
export function serverOptions(o: HttpHardeningOptions): FastifyHttpOptions<Server> {
  return {
    requestTimeout: o.requestTimeoutMs,
    connectionTimeout: o.connectionTimeoutMs,
    keepAliveTimeout: o.keepAliveTimeoutMs,
    maxRequestsPerSocket: o.maxRequestsPerSocket,
    // A number of hops, as fastify reads it (its types only name the function form).
    trustProxy: typeof o.trustProxy === 'number' ? ((_address: string, hop: number) => hop < (o.trustProxy as number)) : o.trustProxy,
    http: {
      // Slow headers are held to the same limit as a slow body, and checked often enough for it to mean something.
      headersTimeout: o.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(HARDENING_DEFAULTS.timeoutCheckMs, Math.ceil(o.requestTimeoutMs / 4)),
    },
  }
}

/**
 * The per-address rate limit (@fastify/rate-limit) on the API routes only: a global one would also count the web
 * page and its files. A route that sets its own `config.rateLimit` keeps it. Over the limit: 429 with Retry-After
 * and the project's JSON error. Register before any route.
 */
export const hardening = fp(async (app: FastifyInstance, o: HttpHardeningOptions) => {
  app.server.maxConnections = o.maxConnections
  app.addHook('onRoute', (route) => {
    if (route.config?.rateLimit !== undefined) return
    if (!o.limitedPrefixes.some((prefix) => route.url.startsWith(prefix))) route.config = { ...route.config, rateLimit: false }
  })
  await app.register(rateLimit, {
    global: true,
    max: o.rateLimitMax,
    timeWindow: o.rateLimitWindowMs,
    cache: HARDENING_DEFAULTS.addressesKept,
    errorResponseBuilder: (_request, context) => new AnjuError('ANJU_ERR_RATE_LIMITED', `retry in ${context.after}`),
  })
}, { name: 'anju-hardening' })
