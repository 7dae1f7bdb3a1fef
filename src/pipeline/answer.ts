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
  readonly #memo = new Map<string, string>()

  constructor(kb: KnowledgeBase, translate: Translate) {
    this.#kb = kb
    this.#t = translate
    this.#handlerOf = new Map(kb.intents.map((intent) => [intent.id, intent]))
  }

  answer(ctx: Context, match: MatchResult): void {
    const { locale } = ctx
    const intent = match.intent === null ? undefined : this.#handlerOf.get(match.intent)
    if (!intent) {
      ctx.outcome = { ...ctx.outcome, fallback: true }
      ctx.reply(this.#fallback(locale, match))
      return
    }
    if (intent.handler === 'message') {
      ctx.reply(this.#rendered(`${locale}|message|${intent.id}`, () => this.#t(locale, intent.message!, { topics: this.#topicList(locale) })))
      return
    }
    const topic = this.#kb.topics.get(intent.id)!
    ctx.reply(this.#rendered(`${locale}|policy|${topic.id}`, () => this.#policyAnswer(topic, locale)))
    ctx.cite(topic.sources)
  }

  /** Replies depend only on knowledge and locale: render each once (i18next costs more than matching). */
  #rendered(key: string, render: () => string): string {
    let text = this.#memo.get(key)
    if (text === undefined) this.#memo.set(key, (text = render()))
    return text
  }

  #fallback(locale: Locale, match: MatchResult): string {
    if (match.refusal === 'ambiguous') {
      const candidates = match.ranking.slice(0, 2).map((r) => this.#kb.topics.get(r.intent)).filter((t) => t !== undefined)
      if (candidates.length === 2) {
        return this.#rendered(`${locale}|ambiguous|${candidates.map((c) => c.id).join('|')}`, () =>
          this.#t(locale, 'fallback.ambiguous', { topics: this.#topicList(locale, candidates) }))
      }
    }
    const key = match.refusal === 'out_of_scope' ? 'fallback.out_of_scope' : 'fallback.low_confidence'
    return this.#rendered(`${locale}|${key}`, () => this.#t(locale, key, { topics: this.#topicList(locale) }))
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
