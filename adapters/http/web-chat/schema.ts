import { z } from 'zod'
import { localeSchema } from '../../../src/knowledge/schemas'
import { MAX_TEXT_CHARS, messageText } from '../chat-schema'

/**
 * A web resident's message. `text` is what they typed, or the label of the button they pressed (what their
 * history shows); `button.value` is then what the assistant handles. No userId: the resident is the token's.
 */
export const webChatRequestSchema = z.object({
  text: messageText.optional(),
  button: z.object({
    value: z.string({ error: 'button.value must be a string' }).trim().min(1, 'button.value must not be empty').max(MAX_TEXT_CHARS),
    promptId: z.string().max(128).optional(),
  }, { error: 'button must be an object with a value' }).optional(),
  locale: localeSchema.optional().describe('zh-CN or en'),
}, { error: 'the body must be a JSON object' }).refine((body) => body.text !== undefined || body.button, 'text or button is required')

export const readRequestSchema = z.object({
  upTo: z.number({ error: 'upTo must be the seq of the last entry shown' }).int().min(0),
}, { error: 'the body must be a JSON object' })

export const eventsQuery = z.object({ after: z.coerce.number().int().min(0).default(0) })
