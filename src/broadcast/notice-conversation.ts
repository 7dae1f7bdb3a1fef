import type { Middleware } from '../core/composer'
import type { Context } from '../core/context'
import type { Translate } from '../i18n'
import type { KnowledgeBase } from '../knowledge/loader'
import { normalise } from '../matcher/normalise'
import { noticeText, type Notice } from './notice'

const COMMAND = /^\/(notices|subscribe|unsubscribe)(?:@\w+)?$/i
const CHINA_OFFSET_MS = 8 * 3_600_000

export interface NoticeConversationOptions {
  kb: KnowledgeBase
  translate: Translate
  /** Active notices for a resident; without it, "最近有什么通知" answers that there are none. */
  activeFor?: (resident: Context['resident']) => Promise<Notice[]>
  askSettlement: (ctx: Context) => void
}

/**
 * The resident's side of notices. Before the matcher: "退订" / "订阅" (and /unsubscribe, /subscribe), interests by
 * chatting ("我想收招聘信息" adds job_seekers), and /notices. After it (`listing`): the `notices` intent
 * ("最近有什么通知"), answered with the active notices for their settlement, in their language.
 * The words are data: `knowledge/notice-words.yaml` and `intents/notices.yaml`.
 */
export class NoticeConversation {
  readonly #o: NoticeConversationOptions
  readonly #words: { unsubscribe: Set<string>; subscribe: Set<string>; want: string[]; dontWant: string[] }
  readonly #tags: { id: string; phrases: string[] }[]

  constructor(options: NoticeConversationOptions) {
    this.#o = options
    const w = options.kb.notices
    this.#words = {
      unsubscribe: new Set(w.unsubscribe),
      subscribe: new Set(w.subscribe),
      want: w.want,
      dontWant: w.dontWant,
    }
    // Words and phrases arrive normalised from the knowledge base.
    this.#tags = Object.entries(w.tags).map(([id, tag]) => ({ id, phrases: tag.phrases }))
  }

  readonly middleware: Middleware = async (ctx, next) => {
    if (ctx.resident.awaiting) return next()
    const command = COMMAND.exec(ctx.message.text.trim())?.[1]?.toLowerCase()
    const text = normalise(ctx.message.text)
    if (command === 'unsubscribe' || this.#words.unsubscribe.has(text)) return this.#done(ctx, () => this.#unsubscribe(ctx))
    if (command === 'subscribe' || this.#words.subscribe.has(text)) return this.#done(ctx, () => this.#subscribe(ctx))
    if (command === 'notices') return this.#done(ctx, () => this.#list(ctx))
    const tag = this.#tags.find((t) => t.phrases.some((p) => text.includes(p)))
    if (tag) {
      if (this.#words.dontWant.some((w) => text.includes(w))) return this.#done(ctx, () => this.#tag(ctx, tag.id, false))
      if (this.#words.want.some((w) => text.includes(w))) return this.#done(ctx, () => this.#tag(ctx, tag.id, true))
    }
    return next()
  }

  /** After the matcher: "最近有通知吗", "社区有啥通知" in any words the `notices` intent has learnt. */
  readonly listing: Middleware = async (ctx, next) => {
    if (ctx.match?.intent !== 'notices') return next()
    await this.#list(ctx)
  }

  async #done(ctx: Context, work: () => void | Promise<void>): Promise<void> {
    ctx.outcome = { intent: 'notices', confidence: 1, fallback: false }
    await work()
  }

  #unsubscribe(ctx: Context): void {
    ctx.updateResident({ notices: false })
    ctx.reply(this.#o.translate(ctx.locale, 'notice.unsubscribed'))
  }

  #subscribe(ctx: Context): void {
    ctx.updateResident({ notices: true })
    const settlement = this.#o.kb.settlements.find((s) => s.id === ctx.resident.settlementId)
    if (!settlement) {
      ctx.reply(this.#o.translate(ctx.locale, 'notice.subscribed_no_settlement'))
      this.#o.askSettlement(ctx)
      return
    }
    ctx.reply(this.#o.translate(ctx.locale, ctx.canPush ? 'notice.subscribed' : 'notice.subscribed_no_push', { settlement: settlement.name[ctx.locale] }))
  }

  #tag(ctx: Context, tag: string, add: boolean): void {
    const label = this.#o.kb.notices.tags[tag]!.label[ctx.locale]
    const { tags, notices } = ctx.resident
    if (!add) {
      ctx.updateResident({ tags: tags.filter((t) => t !== tag) })
      ctx.reply(this.#o.translate(ctx.locale, 'notice.tag_removed', { tag: label }))
      return
    }
    ctx.updateResident({ tags: tags.includes(tag) ? tags : [...tags, tag], notices: true })
    const resubscribed = notices ? '' : this.#o.translate(ctx.locale, 'notice.tag_resubscribed')
    // A channel that cannot push gets no promise of sending, only where to look.
    ctx.reply(this.#o.translate(ctx.locale, ctx.canPush ? 'notice.tag_added' : 'notice.tag_added_no_push', { tag: label, resubscribed }).trim())
    if (!ctx.resident.settlementId) this.#o.askSettlement(ctx)
  }

  async #list(ctx: Context): Promise<void> {
    const t = this.#o.translate
    if (!ctx.resident.settlementId) {
      ctx.reply(t(ctx.locale, 'notice.no_settlement'))
      this.#o.askSettlement(ctx)
      return
    }
    const notices = (await this.#o.activeFor?.(ctx.resident)) ?? []
    if (notices.length === 0) return void ctx.reply(t(ctx.locale, 'notice.none'))
    const items = notices.map((notice) => {
      const { title, body } = noticeText(notice, ctx.locale)
      const date = new Date(Date.parse(notice.sendAt) + CHINA_OFFSET_MS).toISOString().slice(0, 10)
      return t(ctx.locale, 'notice.list_item', { title, body, date })
    })
    ctx.reply([t(ctx.locale, 'notice.list_header'), ...items].join('\n'))
  }
}
