import type { Context } from '../core/context'
import type { Translate } from '../i18n'
import type { KnowledgeBase } from '../knowledge/loader'
import type { Locale, Source, Topic } from '../knowledge/schemas'
import type { MatchResult } from '../matcher/matcher'

const CLAUSE = /^(task|measure|section) (\d+)$/

/** Renders replies from knowledge: the policy topic, a catalogue message, or the honest fallback. */
export class AnswerComposer {
  readonly #kb: KnowledgeBase
  readonly #t: Translate
  readonly #handlerOf: Map<string, KnowledgeBase['intents'][number]>

  constructor(kb: KnowledgeBase, translate: Translate) {
    this.#kb = kb
    this.#t = translate
    this.#handlerOf = new Map(kb.intents.map((intent) => [intent.id, intent]))
  }

  answer(ctx: Context, match: MatchResult): void {
    const intent = match.intent === null ? undefined : this.#handlerOf.get(match.intent)
    if (!intent) return this.#fallback(ctx, match)
    if (intent.handler === 'message') {
      ctx.reply(this.#t(ctx.locale, intent.message!, { topics: this.#topicList(ctx.locale) }))
      return
    }
    const topic = this.#kb.topics.get(intent.id)!
    ctx.reply(this.#policyAnswer(topic, ctx.locale))
    ctx.cite(topic.sources)
  }

  #fallback(ctx: Context, match: MatchResult): void {
    ctx.outcome = { ...ctx.outcome, fallback: true }
    if (match.refusal === 'ambiguous') {
      const candidates = match.ranking.slice(0, 2).map((r) => this.#kb.topics.get(r.intent)).filter((t) => t !== undefined)
      if (candidates.length === 2) {
        ctx.reply(this.#t(ctx.locale, 'fallback.ambiguous', { topics: this.#topicList(ctx.locale, candidates) }))
        return
      }
    }
    const key = match.refusal === 'out_of_scope' ? 'fallback.out_of_scope' : 'fallback.low_confidence'
    ctx.reply(this.#t(ctx.locale, key, { topics: this.#topicList(ctx.locale) }))
  }

  #policyAnswer(topic: Topic, locale: Locale): string {
    const t = this.#t
    const offices = topic.offices.map((office) => office[locale]).join(t(locale, 'list_separator'))
    return [
      topic.answer[locale],
      t(locale, 'answer.offices', { offices }),
      t(locale, 'answer.sources', { sources: this.#sourceList(topic.sources, locale) }),
      t(locale, 'answer.footer'),
    ].join('\n\n')
  }

  /** "《安徽省…方案》第3项任务；《娄底市…措施》第3条措施", one mention per clause. */
  #sourceList(sources: readonly Source[], locale: Locale): string {
    const mentions = new Set<string>()
    for (const source of sources) {
      const [, kind, number] = CLAUSE.exec(source.clause)!
      const document = this.#t(locale, `source.${source.file.replace(/\.txt$/, '')}`)
      mentions.add(this.#t(locale, 'source_mention', { document, clause: this.#t(locale, `clause.${kind}`, { number }) }))
    }
    return [...mentions].join(this.#t(locale, 'source_separator'))
  }

  #topicList(locale: Locale, topics: Iterable<Topic> = this.#kb.topics.values()): string {
    return [...topics].map((topic) => this.#t(locale, 'topic_item', { title: topic.title[locale] })).join('\n')
  }
}
