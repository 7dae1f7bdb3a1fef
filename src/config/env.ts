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
} as const

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(DEFAULTS.PORT),
  HOST: z.string().trim().min(1).default(DEFAULTS.HOST),
  DATA_DIR: z.string().trim().min(1).default(DEFAULTS.DATA_DIR),
  KNOWLEDGE_DIR: z.string().trim().min(1).default(DEFAULTS.KNOWLEDGE_DIR),
  INTENTS_DIR: z.string().trim().min(1).default(DEFAULTS.INTENTS_DIR),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default(DEFAULTS.LOG_LEVEL),
  DEFAULT_LOCALE: z.enum(LOCALES).default(DEFAULTS.DEFAULT_LOCALE),
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
