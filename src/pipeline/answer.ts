import type { Choice, Context } from '../core/context'
import type { Translate } from '../i18n'
import type { KnowledgeBase } from '../knowledge/loader'
import type { Locale, Source, Topic } from '../knowledge/schemas'
import type { MatchResult } from '../matcher/matcher'

const CLAUSE = /^(task|measure|section) (\d+)$/

/** A source as an adapter shows it: the file and clause it cites, and the words a resident reads. */
export interface Citation {
  file: string
  clause: string
  /** The document's title: 《安徽省巩固易地扶贫搬迁脱贫成果专项行动方案》. */
  document: string
  /** Title and clause: 《安徽省巩固易地扶贫搬迁脱贫成果专项行动方案》第25项任务. */
  text: string
}

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
      this.#fallback(ctx, match)
      return
    }
    if (intent.handler === 'ticket_status') {
      // Reached only without a demand desk (which answers it itself): then there are no tickets to tell of.
      ctx.reply(this.#t(locale, 'ticket.status_none'))
      return
    }
    if (intent.handler === 'message') {
      const text = this.#rendered(`${locale}|message|${intent.id}`, () => this.#t(locale, intent.message!, { topics: this.#topicList(locale) }))
      ctx.reply(text, intent.choices === 'topics' ? this.topicChoices(locale) : undefined)
      return
    }
    this.answerTopic(ctx, intent.id)
  }

  /** The policy answer of one topic, with its sources; false when there is no such topic. */
  answerTopic(ctx: Context, topicId: string): boolean {
    const topic = this.#kb.topics.get(topicId)
    if (!topic) return false
    ctx.reply(this.#rendered(`${ctx.locale}|policy|${topic.id}`, () => this.#policyAnswer(topic, ctx.locale)))
    ctx.cite(topic.sources)
    return true
  }

  /** Every policy topic as a choice that answers it directly. */
  topicChoices(locale: Locale, topics: Iterable<Topic> = this.#kb.topics.values()): Choice[] {
    return [...topics].map((topic) => ({ label: topic.title[locale], value: `/topic ${topic.id}` }))
  }

  /** Sources as residents read them: "《…方案》第25项任务". */
  sourceText(sources: readonly Source[], locale: Locale): string {
    return this.#sourceList(sources, locale)
  }

  /**
   * Each distinct source with its document's title and how residents read it, for adapters that show sources
   * apart from the answer: `{ file, clause, document: '《…方案》', text: '《…方案》第25项任务' }`.
   */
  citations(sources: readonly Source[], locale: Locale): Citation[] {
    const seen = new Map<string, Citation>()
    for (const { file, clause } of sources) {
      const key = `${file}#${clause}`
      if (seen.has(key)) continue
      const [, kind, number] = CLAUSE.exec(clause)!
      const document = this.#rendered(`${locale}|document|${file}`, () => this.#t(locale, `source.${file.replace(/\.txt$/, '')}`))
      const text = this.#rendered(`${locale}|cite|${key}`, () => this.#t(locale, 'source_mention', { document, clause: this.#t(locale, `clause.${kind}`, { number }) }))
      seen.set(key, { file, clause, document, text })
    }
    return [...seen.values()]
  }

  /** Replies depend only on knowledge and locale: render each once (i18next costs more than matching). */
  #rendered(key: string, render: () => string): string {
    let text = this.#memo.get(key)
    if (text === undefined) this.#memo.set(key, (text = render()))
    return text
  }

  #fallback(ctx: Context, match: MatchResult): void {
    const { locale } = ctx
    if (match.refusal === 'ambiguous') {
      const candidates = match.ranking.slice(0, 2).map((r) => this.#kb.topics.get(r.intent)).filter((t) => t !== undefined)
      if (candidates.length === 2) {
        const text = this.#rendered(`${locale}|ambiguous|${candidates.map((c) => c.id).join('|')}`, () =>
          this.#t(locale, 'fallback.ambiguous', { topics: this.#topicList(locale, candidates) }))
        ctx.reply(text, this.topicChoices(locale, candidates))
        return
      }
    }
    const key = match.refusal === 'out_of_scope' ? 'fallback.out_of_scope' : 'fallback.low_confidence'
    ctx.reply(this.#rendered(`${locale}|${key}`, () => this.#t(locale, key, { topics: this.#topicList(locale) })))
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
    return [...new Set(this.citations(sources, locale).map((c) => c.text))].join(this.#t(locale, 'source_separator'))
  }


  #topicList(locale: Locale, topics: Iterable<Topic> = this.#kb.topics.values()): string {
    return [...topics].map((topic) => this.#t(locale, 'topic_item', { title: topic.title[locale] })).join('\n')
  }
}
