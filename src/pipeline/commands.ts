import Fuse from 'fuse.js'
import type { Middleware } from '../core/composer'
import type { Choice, Context } from '../core/context'
import type { Translate } from '../i18n'
import type { KnowledgeBase } from '../knowledge/loader'
import { LOCALES, type Locale, type Settlement } from '../knowledge/schemas'
import { normalise } from '../matcher/normalise'
import type { AnswerComposer } from './answer'

const CHOICE_NUMBER = /^\s*(\d{1,2})\s*$/
const COMMAND = /^\/([a-z]+)(?:@\w+)?(?:\s+(.*))?$/i
// What residents leave out when they name their settlement: brackets (示例), and the kind of place.
const NAME_NOISE = /\([^)]*\)|（[^）]*）|安置区|安置点|安置小区|小区|社区|settlement|\s+/giu
const coreName = (name: string) => normalise(name.replace(NAME_NOISE, ''))

const LOCALE_LABELS: Record<Locale, string> = { 'zh-CN': '中文', en: 'English' }

/**
 * On channels without buttons, choices are numbered: "2" means the second choice offered last time.
 * The message is then handled as if the resident had sent that choice's value.
 */
export const resolveChoice: Middleware = async (ctx, next) => {
  const picked = CHOICE_NUMBER.exec(normalise(ctx.message.text))
  const value = picked && ctx.offeredChoices?.[Number(picked[1]) - 1]
  if (value) {
    ctx.message.text = value
    // A button sent as its number (its value was too long for the platform) becomes that value too.
    if (ctx.message.button) ctx.message.button = { ...ctx.message.button, value }
  }
  await next()
}

/** Commands and the settlement question: the conversation around the answers, before the matcher. */
export class ConversationCommands {
  readonly #kb: KnowledgeBase
  readonly #t: Translate
  readonly #composer: AnswerComposer
  readonly #settlementSearch: Fuse<{ id: string; names: string[] }>
  readonly #coreNames: { settlement: Settlement; cores: string[] }[]
  /** Runs after a resident tells their settlement (a demand waiting for it goes on). */
  onSettlementSaved?: (ctx: Context) => Promise<void>

  constructor(kb: KnowledgeBase, translate: Translate, composer: AnswerComposer) {
    this.#kb = kb
    this.#t = translate
    this.#composer = composer
    const entries = kb.settlements.map((s) => ({ id: s.id, names: LOCALES.map((l) => normalise(s.name[l])) }))
    this.#settlementSearch = new Fuse(entries, { keys: ['names'], threshold: 0.4, ignoreLocation: true })
    this.#coreNames = kb.settlements.map((s) => ({ settlement: s, cores: LOCALES.map((l) => coreName(s.name[l])).filter((c) => c.length >= 2) }))
  }

  /** Middleware: `/start`, `/help`, `/lang`, `/settlement`, `/topic`, and a pending settlement question. */
  readonly middleware: Middleware = async (ctx, next) => {
    const command = COMMAND.exec(ctx.message.text.trim())
    if (command) {
      const handled = await this.#command(ctx, command[1]!.toLowerCase(), command[2]?.trim() ?? '')
      if (handled) return
    } else if (ctx.resident.awaiting === 'settlement') {
      ctx.updateResident({ awaiting: undefined })
      const settlement = this.#findSettlement(ctx.message.text)
      if (settlement) return await this.#saveSettlement(ctx, settlement)
    }
    await next()
  }

  async #command(ctx: Context, name: string, argument: string): Promise<boolean> {
    const { locale } = ctx
    switch (name) {
      case 'start': {
        ctx.outcome = { intent: 'greeting', confidence: 1, fallback: false }
        ctx.reply(this.#t(locale, 'greeting'))
        // A settlement's poster opens the chat with `/start <settlement id>` (a Telegram deep link, a QR code).
        const fromLink = this.#kb.settlements.find((s) => s.id === argument)
        if (fromLink) await this.#saveSettlement(ctx, fromLink)
        if (!ctx.resident.settlementId) this.askSettlement(ctx)
        else ctx.reply(this.#t(ctx.locale, 'help'), this.#composer.topicChoices(ctx.locale))
        return true
      }
      case 'help':
        ctx.outcome = { intent: 'help', confidence: 1, fallback: false }
        ctx.reply(this.#t(locale, 'help'), this.#composer.topicChoices(locale))
        return true
      case 'lang':
        return this.#language(ctx, argument)
      case 'settlement': {
        const settlement = this.#kb.settlements.find((s) => s.id === argument) ?? (argument ? this.#findSettlement(argument) : undefined)
        if (settlement) await this.#saveSettlement(ctx, settlement)
        else this.askSettlement(ctx, argument ? 'settlement.not_found' : 'settlement.ask')
        return true
      }
      case 'topic':
        if (!this.#composer.answerTopic(ctx, argument)) return false
        ctx.outcome = { intent: argument, confidence: 1, fallback: false }
        return true
      default:
        // Unknown commands (/human, /status ...) are left to the matcher and later handlers.
        return false
    }
  }

  #language(ctx: Context, argument: string): boolean {
    const chosen = LOCALES.find((locale) => locale.toLowerCase() === argument.toLowerCase() || (argument === 'zh' && locale === 'zh-CN'))
    if (!chosen) {
      const choices: Choice[] = LOCALES.map((locale) => ({ label: LOCALE_LABELS[locale], value: `/lang ${locale}` }))
      ctx.reply(this.#t(ctx.locale, 'lang.choose'), choices)
      return true
    }
    ctx.updateResident({ locale: chosen })
    ctx.reply(this.#t(chosen, 'lang.saved'))
    return true
  }

  askSettlement(ctx: Context, key: 'settlement.ask' | 'settlement.not_found' = 'settlement.ask'): void {
    ctx.updateResident({ awaiting: 'settlement' })
    const choices = this.#kb.settlements.map((s) => ({ label: s.name[ctx.locale], value: `/settlement ${s.id}` }))
    ctx.reply(this.#t(ctx.locale, key), choices)
  }

  async #saveSettlement(ctx: Context, settlement: Settlement): Promise<void> {
    const first = ctx.resident.settlementId === undefined
    // Residents receive notices by default once they tell their settlement; they can unsubscribe.
    ctx.updateResident({ settlementId: settlement.id, awaiting: undefined, ...(first ? { notices: true } : {}) })
    const { locale } = ctx
    const centre = settlement.serviceCentre
    ctx.reply(this.#t(locale, 'settlement.saved', {
      name: settlement.name[locale],
      address: centre.address[locale],
      hours: centre.hours[locale],
      phone: centre.phone,
    }))
    await this.onSettlementSaved?.(ctx)
  }

  /** "我住在安乐新居" names 安乐新居安置区: the name's core inside the message, else a fuzzy match of the whole. */
  #findSettlement(text: string): Settlement | undefined {
    const query = normalise(text)
    if (!query) return undefined
    const named = this.#coreNames.find(({ cores }) => cores.some((core) => query.includes(core)))
    if (named) return named.settlement
    const id = this.#settlementSearch.search(query, { limit: 1 })[0]?.item.id
    return this.#kb.settlements.find((s) => s.id === id)
  }
}
