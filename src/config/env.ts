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
  TICKET_URGENT_HOURS: 2,
  TICKET_NORMAL_WORKING_DAYS: 3,
  TICKET_SUPERVISOR_ALERT_HOURS: 2,
  DIALOGUE_IDLE_MINUTES: 30,
  CONSOLE_IDLE_MINUTES: 30,
} as const

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
  /** Time limits: urgent tickets in hours, normal ones in working days (Monday–Friday, China time). */
  TICKET_URGENT_HOURS: z.coerce.number().positive().max(240).default(DEFAULTS.TICKET_URGENT_HOURS),
  TICKET_NORMAL_WORKING_DAYS: z.coerce.number().int().positive().max(60).default(DEFAULTS.TICKET_NORMAL_WORKING_DAYS),
  /** How long after the due time the supervisor is alerted as well as the assignee. */
  TICKET_SUPERVISOR_ALERT_HOURS: z.coerce.number().min(0).max(240).default(DEFAULTS.TICKET_SUPERVISOR_ALERT_HOURS),
  /** A pre-check left this long without an answer ends; the resident is told so when they write again. */
  DIALOGUE_IDLE_MINUTES: z.coerce.number().positive().max(7 * 24 * 60).default(DEFAULTS.DIALOGUE_IDLE_MINUTES),
  /** A staff console session unused this long is signed out. */
  CONSOLE_IDLE_MINUTES: z.coerce.number().positive().max(24 * 60).default(DEFAULTS.CONSOLE_IDLE_MINUTES),
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
