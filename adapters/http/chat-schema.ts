import { z } from 'zod'
import { localeSchema } from '../../src/knowledge/schemas'

/** The longest message a resident may send, in characters (code points, so emoji count once). */
export const MAX_TEXT_CHARS = 2000

/** What a resident writes: not empty, at most MAX_TEXT_CHARS; too long is refused with a message, never cut. */
export const messageText = z
  .string({ error: 'text must be a string' })
  .refine((text) => text.trim().length > 0, 'text must not be empty or only spaces')
  .refine((text) => [...text].length <= MAX_TEXT_CHARS, `text is at most ${MAX_TEXT_CHARS} characters`)

/** A pressed button: its value, and the prompt its choices were offered for (from the reply's `promptId`). */
const buttonSchema = z.strictObject({
  value: messageText.describe('the choice value'),
  promptId: z.string({ error: 'button.promptId must be a string' }).min(1).max(128, 'button.promptId is at most 128 characters').optional(),
}, { error: 'button must be an object {value, promptId?}' })

/** `text`, or a `button` (whose value is then the text): one of them is needed. */
export const chatRequestSchema = z.object({
  userId: z.string({ error: 'userId must be a string' }).trim().min(1, 'userId must not be empty').max(128, 'userId is at most 128 characters'),
  text: messageText.optional(),
  locale: localeSchema.optional().describe('zh-CN or en'),
  button: buttonSchema.optional(),
}, { error: 'the body must be a JSON object' })
  .transform((body, ctx) => {
    const text = body.text ?? body.button?.value
    if (text === undefined) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'text must be a string (or send a button)' })
      return z.NEVER
    }
    return { ...body, text }
  })

export type ChatRequest = z.infer<typeof chatRequestSchema>

/** Response schema: fastify serialises with it (fast-json-stringify), which is also a contract check. */
export const chatResponseJsonSchema = {
  type: 'object',
  required: ['intent', 'confidence', 'replies', 'sources'],
  properties: {
    intent: { type: ['string', 'null'] },
    confidence: { type: 'number' },
    // promptId: the prompt the reply's choices were offered for; send it back with a pressed button.
    replies: { type: 'array', items: { type: 'object', required: ['text'], properties: { text: { type: 'string' }, promptId: { type: 'string' } } } },
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
