import { z } from 'zod'
import { localeSchema } from '../../src/knowledge/schemas'

/** The longest message a resident may send, in characters (code points, so emoji count once). */
export const MAX_TEXT_CHARS = 2000

/** What a resident writes: not empty, at most MAX_TEXT_CHARS; too long is refused with a message, never cut. */
export const messageText = z
  .string({ error: 'text must be a string' })
  .refine((text) => text.trim().length > 0, 'text must not be empty or only spaces')
  .refine((text) => [...text].length <= MAX_TEXT_CHARS, `text is at most ${MAX_TEXT_CHARS} characters`)

export const chatRequestSchema = z.object({
  userId: z.string({ error: 'userId must be a string' }).trim().min(1, 'userId must not be empty').max(128, 'userId is at most 128 characters'),
  text: messageText,
  locale: localeSchema.optional().describe('zh-CN or en'),
}, { error: 'the body must be a JSON object' })

export type ChatRequest = z.infer<typeof chatRequestSchema>

/** Response schema: fastify serialises with it (fast-json-stringify), which is also a contract check. */
export const chatResponseJsonSchema = {
  type: 'object',
  required: ['intent', 'confidence', 'replies', 'sources'],
  properties: {
    intent: { type: ['string', 'null'] },
    confidence: { type: 'number' },
    replies: { type: 'array', items: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } } },
    sources: {
      type: 'array',
      items: {
        type: 'object',
        required: ['file', 'clause', 'document', 'text'],
        properties: { file: { type: 'string' }, clause: { type: 'string' }, document: { type: 'string' }, text: { type: 'string' } },
      },
    },
  },
} as const
