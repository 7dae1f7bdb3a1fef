import { z } from 'zod'
import { AnjuError } from '../core/errors'
import { LOCALES } from '../knowledge/schemas'

export const DEFAULTS = {
  PORT: 3000,
  HOST: '127.0.0.1',
  DATA_DIR: './data',
  KNOWLEDGE_DIR: './knowledge',
  INTENTS_DIR: './intents',
  LOG_LEVEL: 'info',
  DEFAULT_LOCALE: 'zh-CN',
  STAFF_FILE: './config/staff.yaml',
  TICKET_SUPERVISOR_ALERT_HOURS: 2,
  DIALOGUE_IDLE_MINUTES: 30,
  CONSOLE_IDLE_MINUTES: 30,
  CHAT_RATE_BURST: 10,
  CHAT_RATE_PER_MINUTE: 20,
  TICKETS_OPEN_PER_RESIDENT: 3,
  TICKETS_PER_ADDRESS_PER_HOUR: 30,
  HTTP_RATE_LIMIT_MAX: 600,
  HTTP_RATE_LIMIT_WINDOW_SECONDS: 60,
  HTTP_REQUEST_TIMEOUT_MS: 10_000,
  HTTP_CONNECTION_TIMEOUT_MS: 30_000,
  HTTP_KEEP_ALIVE_TIMEOUT_MS: 5_000,
  HTTP_MAX_REQUESTS_PER_SOCKET: 1_000,
  HTTP_MAX_CONNECTIONS: 800,
  DATABASE_POOL_SIZE: 10,
  RESIDENT_RETENTION_DAYS: 180,
  NOTICE_INTERVAL_SECONDS: 15,
  BROADCAST_LEASE_SECONDS: 600,
} as const

const count = (max: number, fallback: number) => z.coerce.number().int().positive().max(max).default(fallback)
const milliseconds = (fallback: number) => z.coerce.number().int().min(100).max(3_600_000).default(fallback)
// TRUST_PROXY: false, true, a number of proxy hops, or a comma-separated list of proxy addresses (CIDR allowed).
const trustProxy = z.string().trim().transform((value, ctx): boolean | number | string[] => {
  if (value === 'true' || value === 'false') return value === 'true'
  if (/^\d+$/.test(value)) return Number(value)
  const list = value.split(',').map((item) => item.trim()).filter(Boolean)
  if (list.length > 0 && list.every((item) => /^[\d.:a-fA-F]+(?:\/\d{1,3})?$/.test(item))) return list
  ctx.addIssue({ code: 'custom', message: 'true, false, a number of hops, or proxy addresses separated by commas' })
  return z.NEVER
})

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(DEFAULTS.PORT),
  HOST: z.string().trim().min(1).default(DEFAULTS.HOST),
  DATA_DIR: z.string().trim().min(1).default(DEFAULTS.DATA_DIR),
  KNOWLEDGE_DIR: z.string().trim().min(1).default(DEFAULTS.KNOWLEDGE_DIR),
  INTENTS_DIR: z.string().trim().min(1).default(DEFAULTS.INTENTS_DIR),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default(DEFAULTS.LOG_LEVEL),
  DEFAULT_LOCALE: z.enum(LOCALES).default(DEFAULTS.DEFAULT_LOCALE),
  /** Staff, their roles and the SHA-256 of their API tokens; without the file the staff API answers 401. */
  STAFF_FILE: z.string().trim().min(1).default(DEFAULTS.STAFF_FILE),
  /** How long after the due time the supervisor is alerted as well as the assignee. */
  TICKET_SUPERVISOR_ALERT_HOURS: z.coerce.number().min(0).max(240).default(DEFAULTS.TICKET_SUPERVISOR_ALERT_HOURS),
  /** A pre-check left this long without an answer ends; the resident is told so when they write again. */
  DIALOGUE_IDLE_MINUTES: z.coerce.number().positive().max(7 * 24 * 60).default(DEFAULTS.DIALOGUE_IDLE_MINUTES),
  /** A staff console session unused this long is signed out. */
  CONSOLE_IDLE_MINUTES: z.coerce.number().positive().max(24 * 60).default(DEFAULTS.CONSOLE_IDLE_MINUTES),
  /** A resident may send this many messages at once; beyond, they are asked to wait and not answered. */
  CHAT_RATE_BURST: count(1000, DEFAULTS.CHAT_RATE_BURST),
  /** ...and this many a minute after the burst (the allowance refills continuously). */
  CHAT_RATE_PER_MINUTE: count(6000, DEFAULTS.CHAT_RATE_PER_MINUTE),
  /** A resident's open tickets; a demand beyond joins the newest open one. */
  TICKETS_OPEN_PER_RESIDENT: count(100, DEFAULTS.TICKETS_OPEN_PER_RESIDENT),
  /**
   * New tickets from one network address (HTTP API, web chat) in an hour; beyond, a demand is kept on the
   * unanswered list and the resident told to call or try later. Urgent demands always become tickets.
   */
  TICKETS_PER_ADDRESS_PER_HOUR: count(100_000, DEFAULTS.TICKETS_PER_ADDRESS_PER_HOUR),
  /** Requests per client address to /api/ in a window; beyond, 429 with Retry-After. */
  HTTP_RATE_LIMIT_MAX: count(1_000_000, DEFAULTS.HTTP_RATE_LIMIT_MAX),
  HTTP_RATE_LIMIT_WINDOW_SECONDS: count(86_400, DEFAULTS.HTTP_RATE_LIMIT_WINDOW_SECONDS),
  /** Time to receive a whole request, headers and body; a slower one is answered 408 and closed. */
  HTTP_REQUEST_TIMEOUT_MS: milliseconds(DEFAULTS.HTTP_REQUEST_TIMEOUT_MS),
  /** A connection with no traffic this long is closed (the socket's inactivity timeout). */
  HTTP_CONNECTION_TIMEOUT_MS: milliseconds(DEFAULTS.HTTP_CONNECTION_TIMEOUT_MS),
  /** An idle keep-alive connection is closed after this long. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: milliseconds(DEFAULTS.HTTP_KEEP_ALIVE_TIMEOUT_MS),
  HTTP_MAX_REQUESTS_PER_SOCKET: count(1_000_000, DEFAULTS.HTTP_MAX_REQUESTS_PER_SOCKET),
  /** Connections beyond this are refused at once; keep it under the open-file limit (ulimit -n). */
  HTTP_MAX_CONNECTIONS: count(1_000_000, DEFAULTS.HTTP_MAX_CONNECTIONS),
  /**
   * Residents who never told a settlement and have not written for this many days are removed (their profile:
   * language, what was being asked); 0 keeps everyone. Residents of a settlement are kept.
   */
  RESIDENT_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(DEFAULTS.RESIDENT_RETENTION_DAYS),
  /** How often due notices are started, and broadcasts another instance left are resumed. */
  NOTICE_INTERVAL_SECONDS: count(3_600, DEFAULTS.NOTICE_INTERVAL_SECONDS),
  /**
   * How long a batch of broadcast deliveries claimed by an instance stays its own (PostgreSQL): an instance killed
   * mid-broadcast leaves its batch to the others this long after; longer than a batch takes to send.
   */
  BROADCAST_LEASE_SECONDS: count(86_400, DEFAULTS.BROADCAST_LEASE_SECONDS),
  /** Behind a reverse proxy: which proxies to believe for the client address (X-Forwarded-For). */
  TRUST_PROXY: trustProxy.default(false),
  /** Telegram starts only when a token is set. */
  TELEGRAM_BOT_TOKEN: z.string().trim().regex(/^\d+:[\w-]+$/, 'looks like 123456:ABC-DEF... (from BotFather)').optional(),
  /** A self-hosted Bot API server; Telegram's own by default. */
  TELEGRAM_API_ROOT: z.url().default('https://api.telegram.org'),
  /** Public HTTPS URL of this server's webhook route; long polling when unset. */
  TELEGRAM_WEBHOOK_URL: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }).optional(),
  /** Secret Telegram sends in X-Telegram-Bot-Api-Secret-Token; required with a webhook. */
  TELEGRAM_WEBHOOK_SECRET: z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, '16-256 letters, digits, _ or -').optional(),
  /** WeChat starts only when a puppet is named (e.g. wechaty-puppet-padlocal, wechaty-puppet-service). */
  WECHATY_PUPPET: z.string().trim().min(1).optional(),
  WECHATY_PUPPET_TOKEN: z.string().trim().min(1).optional(),
  /** PostgreSQL instead of the lowdb files in DATA_DIR: several instances may then share one database. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'a postgres:// or postgresql:// URL' }).optional(),
  /** The schema that holds the tables (public by default). */
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case schema name').optional(),
  /** Connections per instance for queries (as many again hold residents' locks). */
  DATABASE_POOL_SIZE: count(500, DEFAULTS.DATABASE_POOL_SIZE),
}).refine((env) => !env.TELEGRAM_WEBHOOK_URL || env.TELEGRAM_WEBHOOK_SECRET, {
  message: 'set TELEGRAM_WEBHOOK_SECRET together with TELEGRAM_WEBHOOK_URL',
  path: ['TELEGRAM_WEBHOOK_SECRET'],
})

export type Config = z.infer<typeof envSchema>

/** Reads the configuration from an environment; empty values count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''))
  const parsed = envSchema.safeParse(present)
  if (!parsed.success) {
    const reasons = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')
    throw new AnjuError('ANJU_ERR_CONFIG_INVALID', reasons)
  }
  return parsed.data
}
