import i18next, { type TFunction } from 'i18next'
import type { Locale } from '../knowledge/schemas'

export type Translate = (locale: Locale, key: string, values?: Record<string, unknown>) => string

/**
 * An i18next instance over the message catalogues in knowledge/messages.
 * zh-CN is the fallback, so a key missing in English still reaches the resident in Chinese.
 */
export async function createTranslator(messages: Record<Locale, Record<string, string>>): Promise<Translate> {
  const instance = i18next.createInstance()
  await instance.init({
    resources: Object.fromEntries(Object.entries(messages).map(([locale, catalogue]) => [locale, { translation: catalogue }])),
    lng: 'zh-CN',
    fallbackLng: 'zh-CN',
    keySeparator: false,
    nsSeparator: false,
    // Replies are plain text, never HTML: adapters escape for their own medium.
    interpolation: { escapeValue: false },
  })
  const byLocale = new Map<string, TFunction>()
  return (locale, key, values) => {
    let t = byLocale.get(locale)
    if (!t) byLocale.set(locale, (t = instance.getFixedT(locale)))
    return t(key, values) as string
  }
}
