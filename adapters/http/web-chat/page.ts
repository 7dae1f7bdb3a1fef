import { readFile } from 'node:fs/promises'
import type { Translate } from '../../../src/i18n'
import { LOCALES, type Locale, type Topic } from '../../../src/knowledge/schemas'
import { MAX_TEXT_CHARS } from '../chat-schema'

const PUBLIC = new URL('../public/', import.meta.url)

/** The page's own words, from knowledge/messages (`web.*`), handed to the page in both languages. */
const PAGE_KEYS = [
  'doc_title', 'title', 'other_language', 'other_language_label', 'text_size', 'text_size_label', 'welcome', 'placeholder',
  'input_label', 'send', 'sources', 'typing', 'chips_label', 'you', 'bot', 'new_messages', 'network', 'server',
  'no_session', 'history_error', 'counter', 'too_long',
] as const

/** The static files next to the page, by path, with their content type. */
const ASSETS: Record<string, { file: string; type: string }> = {
  '/chat.js': { file: 'chat.js', type: 'text/javascript; charset=utf-8' },
  '/chat.css': { file: 'chat.css', type: 'text/css; charset=utf-8' },
  '/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
  // Browsers that ignore <link rel="icon"> ask for /favicon.ico: they get the same picture.
  '/favicon.ico': { file: 'favicon.svg', type: 'image/svg+xml' },
}

export interface WebAsset {
  type: string
  body: string
}

/**
 * The web chat page and its files, read once at start. The page's words and topic chips are put into the page as
 * a JSON data block (not a script: the CSP allows no inline script), `<` escaped so no text can close the block.
 */
export async function loadWebPage(translate: Translate, topics: Iterable<Topic>): Promise<{ page: string; assets: Map<string, WebAsset> }> {
  const topicList = [...topics].filter((topic) => topic.id !== 'escalation')
  const data = {
    maxChars: MAX_TEXT_CHARS,
    strings: Object.fromEntries(LOCALES.map((locale) => [locale, Object.fromEntries(PAGE_KEYS.map((key) => [key, translate(locale, `web.${key}`)]))])),
    chips: Object.fromEntries(LOCALES.map((locale: Locale) => [locale, [
      // Reaching a person comes first: it is what older residents look for, and it was the chip out of sight.
      { label: translate(locale, 'web.chip_caseworker'), value: '/human' },
      ...topicList.map((topic) => ({ label: topic.title[locale], value: `/topic ${topic.id}` })),
    ]])),
  }
  const json = JSON.stringify(data).replace(/</g, '\\u003c')
  const template = await readFile(new URL('index.html', PUBLIC), 'utf8')
  const page = template.replace('{{PAGE_DATA}}', () => json)
  const assets = new Map<string, WebAsset>()
  for (const [route, { file, type }] of Object.entries(ASSETS)) assets.set(route, { type, body: await readFile(new URL(file, PUBLIC), 'utf8') })
  return { page, assets }
}
