import type { Middleware } from '../core/composer'
import type { Choice, Context } from '../core/context'
import type { Translate } from '../i18n'
import type { Check, Question } from '../knowledge/check-schema'
import type { KnowledgeBase } from '../knowledge/loader'
import { normalise } from '../matcher/normalise'
import type { DemandConversation } from '../pipeline/demands'
import type { DialogueState } from '../store/types'
import { parseAnswer } from './answers'
import { resultText, ticketSummary, type SourceText } from './result'
import { isAsked, runCheck } from './rules'

export const DIALOGUE_DEFAULTS = {
  /** A pre-check left this long ends (DIALOGUE_IDLE_MINUTES). */
  idleMinutes: 30,
}

const CHECK_COMMAND = /^\/(check|apply)(?:\s+(\S+))?\s*$/i

export interface CheckConversationOptions {
  kb: KnowledgeBase
  translate: Translate
  sourceText: SourceText
  /** Where applications go; without it the resident is told to take their answers to the service centre. */
  demands?: DemandConversation
  idleMinutes?: number
}

/**
 * Eligibility pre-checks as conversations: slot filling over `knowledge/eligibility/*.yaml`, one question a turn.
 * Runs after the matcher, so that an answer that is really a new question can be answered instead of re-asked.
 * State lives on the resident's profile, so a restart loses nothing.
 */
export class CheckConversation {
  readonly #kb: KnowledgeBase
  readonly #t: Translate
  readonly #sourceText: SourceText
  readonly #demands?: DemandConversation
  readonly #idleMs: number
  readonly #words: Pick<KnowledgeBase['words'], 'cancel' | 'back'>
  readonly #triggers: { check: Check; phrases: string[] }[]

  constructor(options: CheckConversationOptions) {
    this.#kb = options.kb
    this.#t = options.translate
    this.#sourceText = options.sourceText
    this.#demands = options.demands
    this.#idleMs = (options.idleMinutes ?? DIALOGUE_DEFAULTS.idleMinutes) * 60_000
    // Normalised when the knowledge base was loaded.
    this.#words = options.kb.words
    this.#triggers = [...options.kb.checks.values()].map((check) => ({ check, phrases: [...check.triggers['zh-CN'], ...check.triggers.en].map(normalise) }))
  }

  readonly middleware: Middleware = async (ctx, next) => {
    const text = ctx.message.text.trim()
    const command = CHECK_COMMAND.exec(text)
    if (command) return this.#command(ctx, command[1]!.toLowerCase(), command[2] ?? '')
    const normalised = normalise(text)
    const state = this.#current(ctx)
    // Danger and a question the demand desk is waiting for come first; the pre-check waits.
    const busy = ctx.resident.awaiting !== undefined || ctx.match?.danger?.now === true
    if (!busy && state?.status === 'asking' && await this.#answer(ctx, state, text, normalised)) return
    const triggered = busy ? undefined : this.#triggers.find((t) => t.phrases.some((p) => normalised.includes(p)))?.check
    if (triggered) return this.#start(ctx, triggered)
    if (!busy && state?.status === 'asking') {
      // Not an answer, but a question the matcher understood: answer it, then offer to go on.
      this.#save(ctx, { ...state, status: 'paused' })
      await next()
      const check = this.#kb.checks.get(state.check)!
      ctx.reply(this.#t(ctx.locale, 'check.paused', { title: check.title[ctx.locale] }), this.#continueChoices(ctx))
      return
    }
    await next()
    this.#offerAfterTopic(ctx)
  }

  async #command(ctx: Context, name: string, argument: string): Promise<void> {
    const { locale } = ctx
    const state = this.#current(ctx)
    if (name === 'apply') return this.#apply(ctx, state, argument)
    if (argument === 'continue') {
      if (!state || state.status === 'done') return void ctx.reply(this.#t(locale, 'check.none_to_continue'), this.#checkChoices(ctx))
      this.#save(ctx, { ...state, status: 'asking' })
      return this.#askNext(ctx, this.#kb.checks.get(state.check)!, ctx.resident.dialogue!)
    }
    if (argument === 'stop') {
      ctx.updateResident({ dialogue: undefined })
      return void ctx.reply(this.#t(locale, state?.status === 'done' ? 'check.closed' : 'check.stopped'))
    }
    const check = this.#kb.checks.get(argument)
    if (!check) return void ctx.reply(this.#t(locale, 'check.choose'), this.#checkChoices(ctx))
    return this.#start(ctx, check)
  }

  #start(ctx: Context, check: Check): void {
    const state: DialogueState = { check: check.id, answers: {}, asked: [], status: 'asking', lastAt: '' }
    this.#save(ctx, state)
    ctx.reply(this.#t(ctx.locale, 'check.intro', { title: check.title[ctx.locale] }))
    this.#askNext(ctx, check, ctx.resident.dialogue!)
  }

  /** True when the message was handled as part of the pre-check (an answer, a re-ask, cancel or back). */
  async #answer(ctx: Context, state: DialogueState, text: string, normalised: string): Promise<boolean> {
    const check = this.#kb.checks.get(state.check)!
    const { locale } = ctx
    if (this.#words.cancel.includes(normalised)) {
      ctx.outcome = { intent: check.topic, confidence: 1, fallback: false }
      ctx.updateResident({ dialogue: undefined })
      ctx.reply(this.#t(locale, 'check.cancelled'))
      return true
    }
    if (this.#words.back.includes(normalised)) {
      const asked = [...state.asked]
      const last = asked.pop()
      const answers = { ...state.answers }
      if (last) delete answers[last]
      else ctx.reply(this.#t(locale, 'check.back_first'))
      this.#save(ctx, { ...state, asked, answers })
      this.#askNext(ctx, check, ctx.resident.dialogue!)
      return true
    }
    const question = this.#nextQuestion(check, state)!
    const value = parseAnswer(question, text, this.#kb.words, ctx.message.receivedAt)
    if (value === undefined) {
      if (ctx.match?.intent) return false
      ctx.outcome = { intent: check.topic, confidence: 1, fallback: false }
      ctx.reply(`${this.#t(locale, 'check.reask', { example: question.example[locale] })}\n${question.prompt[locale]}`, this.#choicesFor(ctx, question))
      this.#save(ctx, state)
      return true
    }
    this.#save(ctx, { ...state, answers: { ...state.answers, [question.slot]: value }, asked: [...state.asked, question.slot] })
    this.#askNext(ctx, check, ctx.resident.dialogue!)
    return true
  }

  /** The next question, or the result once every question that applies is answered. */
  #askNext(ctx: Context, check: Check, state: DialogueState): void {
    const { locale } = ctx
    ctx.outcome = { intent: check.topic, confidence: 1, fallback: false }
    const question = this.#nextQuestion(check, state)
    if (question) {
      ctx.reply(this.#t(locale, 'check.question', { number: state.asked.length + 1, prompt: question.prompt[locale] }), this.#choicesFor(ctx, question))
      return
    }
    const settlement = this.#kb.settlements.find((s) => s.id === ctx.resident.settlementId)
    const result = runCheck(check, state.answers, settlement)
    this.#save(ctx, { ...state, status: 'done' })
    ctx.reply(resultText(check, result, state.answers, locale, this.#t, this.#sourceText), [
      { label: this.#t(locale, 'check.apply'), value: `/apply ${check.id}` },
      { label: this.#t(locale, 'check.no_thanks'), value: '/check stop' },
    ])
    ctx.cite(check.rules.map((r) => r.source))
  }

  async #apply(ctx: Context, state: DialogueState | undefined, id: string): Promise<void> {
    const check = state?.status === 'done' && (!id || id === state.check) ? this.#kb.checks.get(state.check) : undefined
    if (!check || !state) return void ctx.reply(this.#t(ctx.locale, 'check.apply_nothing'), this.#checkChoices(ctx))
    ctx.outcome = { intent: check.topic, confidence: 1, fallback: false }
    if (!this.#demands) return void ctx.reply(this.#t(ctx.locale, 'check.apply_no_desk'))
    const settlement = this.#kb.settlements.find((s) => s.id === ctx.resident.settlementId)
    const summary = ticketSummary(check, runCheck(check, state.answers, settlement), state.answers, this.#t)
    ctx.updateResident({ dialogue: undefined })
    await this.#demands.apply(ctx, { category: check.topic, priority: 'normal', summary })
  }

  #nextQuestion(check: Check, state: DialogueState): Question | undefined {
    return check.questions.find((q) => state.answers[q.slot] === undefined && isAsked(q, state.answers))
  }

  /** The resident's pre-check, unless it has been idle too long (then it ends, and they are told if it was open). */
  #current(ctx: Context): DialogueState | undefined {
    const state = ctx.resident.dialogue
    if (!state) return undefined
    if (ctx.message.receivedAt.getTime() - Date.parse(state.lastAt) <= this.#idleMs && this.#kb.checks.has(state.check)) return state
    ctx.updateResident({ dialogue: undefined })
    const check = this.#kb.checks.get(state.check)
    if (check && state.status !== 'done') {
      ctx.reply(this.#t(ctx.locale, 'check.expired', { title: check.title[ctx.locale] }), [{ label: this.#t(ctx.locale, 'check.restart'), value: `/check ${check.id}` }])
    }
    return undefined
  }

  #save(ctx: Context, state: DialogueState): void {
    ctx.updateResident({ dialogue: { ...state, lastAt: ctx.message.receivedAt.toISOString() } })
  }

  #choicesFor(ctx: Context, question: Question): Choice[] | undefined {
    const { locale } = ctx
    if (question.type === 'yes_no') return [this.#t(locale, 'check.yes'), this.#t(locale, 'check.no')].map((label) => ({ label, value: label }))
    if (question.type === 'choice') return question.options!.map((o) => ({ label: o.label[locale], value: o.value }))
    return undefined
  }

  #continueChoices(ctx: Context): Choice[] {
    return [
      { label: this.#t(ctx.locale, 'check.continue'), value: '/check continue' },
      { label: this.#t(ctx.locale, 'check.stop'), value: '/check stop' },
    ]
  }

  #checkChoices(ctx: Context): Choice[] {
    return [...this.#kb.checks.values()].map((c) => ({ label: c.title[ctx.locale], value: `/check ${c.id}` }))
  }

  /**
   * After a policy answer whose topic has a pre-check, offer it as a choice on that answer: one message,
   * not a second one (channels send each reply as a message).
   */
  #offerAfterTopic(ctx: Context): void {
    const { intent, fallback } = ctx.outcome
    const check = [...this.#kb.checks.values()].find((c) => c.topic === intent)
    const last = ctx.replies.at(-1)
    if (!check || !last || fallback || ctx.resident.dialogue?.status === 'asking') return
    last.choices = [...(last.choices ?? []), { label: this.#t(ctx.locale, 'check.offer_button'), value: `/check ${check.id}` }]
  }
}
