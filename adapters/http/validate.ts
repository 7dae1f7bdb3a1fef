import type { z } from 'zod'
import { AnjuError } from '../../src/core/errors'

/** Parses a request part with zod; a bad input is a 400 that says what is wrong, field by field. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  throw new AnjuError('ANJU_ERR_BAD_REQUEST', parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '))
}

