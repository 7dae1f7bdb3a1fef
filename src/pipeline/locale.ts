import type { InboundMessage } from '../core/context'
import type { Locale } from '../knowledge/schemas'

const HAN = /\p{Script=Han}/u
const LATIN_LETTERS = /[a-z]{2,}/i

/**
 * The locale to answer in, strongest signal first: the one the message carries explicitly, the one the
 * resident chose, English for text with Latin words and no Chinese, the platform's hint, the default.
 * A button's value is not the resident's writing ("primary", "/check dibao"): it never decides the language.
 */
export function resolveLocale(message: InboundMessage, chosen: Locale | undefined, fallback: Locale): Locale {
  if (message.locale) return message.locale
  if (chosen) return chosen
  if (!message.button && !HAN.test(message.text) && LATIN_LETTERS.test(message.text) && !message.text.startsWith('/')) return 'en'
  return message.localeHint ?? fallback
}
