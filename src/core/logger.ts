import { pino, type Logger } from 'pino'
import { maskPersonalData } from './mask'

export type { Logger }

function maskDeep(value: unknown): unknown {
  if (typeof value === 'string') return maskPersonalData(value)
  if (Array.isArray(value)) return value.map(maskDeep)
  // An error's message and stack can carry what the resident wrote: serialised as pino would, then masked.
  if (value instanceof Error) return maskDeep(pino.stdSerializers.err(value))
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, maskDeep(inner)]))
  }
  return value
}

/** A pino logger that masks ID-card, phone and bank card numbers in every message, field and error. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      formatters: { log: (object) => maskDeep(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map(maskDeep) as Parameters<typeof method>)
        },
      },
    },
    destination,
  )
}
