import type { Middleware } from '../core/composer'
import type { Choice, Context } from '../core/context'
import type { Translate } from '../i18n'
import { normaliseAnswer } from '../knowledge/answer-words-schema'
import type { Check, Question } from '../knowledge/check-schema'
import type { KnowledgeBase } from '../knowledge/loader'
import { normalise } from '../matcher/normalise'
import type { DemandConversation } from '../pipeline/demands'
import type { DialogueState } from '../store/types'
import { parseAnswer, type SlotValue } from './answers'
import { asksQuestion, correctionOf, meansCancel, meansResume, namesQuestion } from './intentions'
import { answerText, resultText, ticketSummary, type SourceText } from './result'
import { checkSources, isAsked, runCheck } from './rules'

export const DIALOGUE_DEFAULTS = {
  /** A pre-check left this long ends (DIALOGUE_IDLE_MINUTES). */
  idleMinutes: 30,
}

const CHECK_COMMAND = /^\/(check|apply)(?:\s+(\S+))?\s*$/i
/** Prompt ids of pre-check questions: `check:<check>:<slot>:<turn>`. Buttons carry them back. */
const PROMPT = /^check:([^:]+):([^:]+):(\d+)$/

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
 * Runs after the matcher, so that a message that is really a question of its own is answered, not recorded.
 * State lives on the resident's profile, so a restart loses nothing.
 */
export class CheckConversation {
  readonly #kb: KnowledgeBase
  readonly #t: Translate
  readonly #sourceText: SourceText
  readonly #demands?: DemandConversation
  readonly #idleMs: number
  readonly #triggers: { check: Check; phrases: string[] }[]

  constructor(options: CheckConversationOptions) {
    this.#kb = options.kb
    this.#t = options.translate
    this.#sourceText = options.sourceText
    this.#demands = options.demands
    this.#idleMs = (options.idleMinutes ?? DIALOGUE_DEFAULTS.idleMinutes) * 60_000
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
    if (!busy) {
      const promptId = ctx.message.button?.promptId
      if (promptId && PROMPT.test(promptId) && promptId !== this.#openPrompt(state)) return this.#stale(ctx, state, promptId)
      const triggered = this.#triggers.find((t) => t.phrases.some((p) => normalised.includes(p)))?.check
      if (triggered && (triggered.id !== state?.check || state.status === 'done')) return this.#start(ctx, triggered)
      if (state && await this.#converse(ctx, state, text, next, triggered !== undefined)) return
    }
    await next()
    this.#offerAfterTopic(ctx)
  }

  /** True when the message was handled as part of the resident's pre-check. */
  async #converse(ctx: Context, state: DialogueState, text: string, next: () => Promise<void>, retriggered: boolean): Promise<boolean> {
    const check = this.#kb.checks.get(state.check)!
    const words = this.#kb.answerWords
    const plain = normaliseAnswer(text)
    const correction = correctionOf(plain, words)
    if (state.status === 'done') return correction !== undefined && this.#correct(ctx, check, state, correction.rest)
    if (meansCancel(plain, words, this.#kb.words.cancel)) return this.#cancel(ctx, check)
    if (this.#kb.words.back.includes(normalise(text))) return this.#back(ctx, check, state)
    if (correction && this.#correct(ctx, check, state, correction.rest)) return true
    if (retriggered || (state.status === 'paused' && meansResume(plain, words))) return this.#resume(ctx, check, state)
    const question = this.#nextQuestion(check, state)!
    const pressed = ctx.message.button !== undefined
    if (!pressed && asksQuestion(plain, words, 'strong')) return this.#aside(ctx, check, state, next)
    const value = parseAnswer(question, text, words, ctx.message.receivedAt)
    if (value !== undefined) return this.#record(ctx, check, state, question.slot, value)
    // A question, or a demand for a person ("我要投诉"), is answered; a statement that is no answer is asked again.
    const demand = ctx.match?.intent === 'escalation' || this.#kb.words.demand.some((w) => normalise(text).includes(w))
    if (!pressed && (asksQuestion(plain, words, 'weak') || demand)) return this.#aside(ctx, check, state, next)
    // Paused, and not about the pre-check: the conversation goes on without it.
    if (state.status === 'paused') return false
    this.#outcome(ctx, check)
    this.#ask(ctx, check, state, question, this.#t(ctx.locale, 'check.reask', { example: question.example[ctx.locale] }))
    this.#save(ctx, state)
    return true
  }

  async #command(ctx: Context, name: string, argument: string): Promise<void> {
    const { locale } = ctx
    const state = this.#current(ctx)
    if (name === 'apply') return this.#apply(ctx, state, argument)
    if (argument === 'continue') {
      if (!state || state.status === 'done') return void ctx.reply(this.#t(locale, 'check.none_to_continue'), this.#checkChoices(ctx))
      this.#resume(ctx, this.#kb.checks.get(state.check)!, state)
      return
    }
    if (argument === 'stop') {
      ctx.updateResident({ dialogue: undefined })
      return void ctx.reply(this.#t(locale, state?.status === 'done' ? 'check.closed' : 'check.stopped'))
    }
    const check = this.#kb.checks.get(argument)
    if (!check) return void ctx.reply(this.#t(locale, 'check.choose'), this.#checkChoices(ctx))
    return this.#start(ctx, check)
  }

  /** The opening names the rules the check rests on, in the text and in the sources. */
  #start(ctx: Context, check: Check): void {
    const state: DialogueState = { check: check.id, answers: {}, asked: [], status: 'asking', lastAt: '', turn: 0 }
    this.#save(ctx, state)
    const sources = checkSources(check, this.#settlement(ctx))
    ctx.reply(this.#t(ctx.locale, 'check.intro', { title: check.title[ctx.locale], sources: this.#sourceText(sources, ctx.locale) }))
    ctx.cite(sources)
    this.#askNext(ctx, check, ctx.resident.dialogue!)
  }

  #record(ctx: Context, check: Check, state: DialogueState, slot: string, value: SlotValue): true {
    this.#save(ctx, withAnswer(check, state, slot, value))
    this.#askNext(ctx, check, ctx.resident.dialogue!)
    return true
  }

  /**
   * "不对，说错了，是五口人": changes the answer the correction names (by its unit or its subject), or else the last
   * one; a correction with nothing readable asks that question again. After the result, the result is redone.
   */
  #correct(ctx: Context, check: Check, state: DialogueState, rest: string): boolean {
    const words = this.#kb.answerWords
    const answered = state.asked.map((slot) => check.questions.find((q) => q.slot === slot)!).filter(Boolean).reverse()
    if (answered.length === 0) return false
    const target = answered.find((q) => rest && namesQuestion(q, rest, words)) ?? answered[0]!
    const value = rest ? parseAnswer(target, rest, words, ctx.message.receivedAt) : undefined
    if (value === undefined) {
      // Nothing to read: that question is asked again.
      const answers = { ...state.answers }
      delete answers[target.slot]
      this.#save(ctx, { ...state, status: 'asking', answers, asked: state.asked.filter((s) => s !== target.slot), turn: (state.turn ?? 0) + 1 })
      this.#askNext(ctx, check, ctx.resident.dialogue!)
      return true
    }
    this.#save(ctx, withAnswer(check, { ...state, status: 'asking' }, target.slot, value))
    ctx.reply(this.#t(ctx.locale, 'check.corrected', { answer: answerText(target, value, ctx.locale, this.#t) }))
    this.#askNext(ctx, check, ctx.resident.dialogue!)
    return true
  }

  #cancel(ctx: Context, check: Check): true {
    this.#outcome(ctx, check)
    ctx.updateResident({ dialogue: undefined })
    ctx.reply(this.#t(ctx.locale, 'check.cancelled'))
    return true
  }

  #back(ctx: Context, check: Check, state: DialogueState): true {
    const asked = [...state.asked]
    const last = asked.pop()
    const answers = { ...state.answers }
    if (last) delete answers[last]
    else ctx.reply(this.#t(ctx.locale, 'check.back_first'))
    this.#save(ctx, { ...state, status: 'asking', asked, answers, turn: (state.turn ?? 0) + 1 })
    this.#askNext(ctx, check, ctx.resident.dialogue!)
    return true
  }

  #resume(ctx: Context, check: Check, state: DialogueState): true {
    this.#save(ctx, { ...state, status: 'asking' })
    this.#askNext(ctx, check, ctx.resident.dialogue!)
    return true
  }

  /** A question of its own: answered as any question is, never recorded; then the pre-check is offered again. */
  async #aside(ctx: Context, check: Check, state: DialogueState, next: () => Promise<void>): Promise<true> {
    this.#save(ctx, { ...state, status: 'paused' })
    await next()
    ctx.reply(this.#t(ctx.locale, 'check.paused', { title: check.title[ctx.locale] }), this.#continueChoices(ctx))
    return true
  }

  /** A button from an earlier question: that one is done; the current question is asked again. */
  #stale(ctx: Context, state: DialogueState | undefined, promptId: string): void {
    const check = this.#kb.checks.get(state?.check ?? PROMPT.exec(promptId)![1]!)
    if (check) this.#outcome(ctx, check)
    if (!state || !check || state.status === 'done') {
      const restart = check ? [{ label: this.#t(ctx.locale, 'check.restart'), value: `/check ${check.id}` }] : this.#checkChoices(ctx)
      return void ctx.reply(this.#t(ctx.locale, 'check.stale_closed'), restart)
    }
    this.#save(ctx, { ...state, status: 'asking' })
    ctx.reply(this.#t(ctx.locale, 'check.stale'))
    this.#askNext(ctx, check, ctx.resident.dialogue!)
  }

  /** The next question, or the result once every question that applies is answered. */
  #askNext(ctx: Context, check: Check, state: DialogueState): void {
    const { locale } = ctx
    this.#outcome(ctx, check)
    const question = this.#nextQuestion(check, state)
    if (question) return this.#ask(ctx, check, state, question)
    const result = runCheck(check, state.answers, this.#settlement(ctx))
    this.#save(ctx, { ...state, status: 'done' })
    ctx.replies.push({
      text: resultText(check, result, state.answers, locale, this.#t, this.#sourceText),
      choices: [
        { label: this.#t(locale, 'check.apply'), value: `/apply ${check.id}` },
        { label: this.#t(locale, 'check.no_thanks'), value: '/check stop' },
      ],
      promptId: `check:${check.id}:result:${state.turn ?? 0}`,
    })
    ctx.cite(result.sources)
  }

  /** One question, with its choices bound to it by the prompt id (a later press of them is stale). */
  #ask(ctx: Context, check: Check, state: DialogueState, question: Question, before?: string): void {
    const line = this.#t(ctx.locale, 'check.question', { number: state.asked.length + 1, prompt: question.prompt[ctx.locale] })
    const choices = this.#choicesFor(ctx, question)
    ctx.replies.push({ text: before ? `${before}\n${line}` : line, ...(choices ? { choices } : {}), promptId: promptIdOf(check, state, question) })
  }

  async #apply(ctx: Context, state: DialogueState | undefined, id: string): Promise<void> {
    const check = state?.status === 'done' && (!id || id === state.check) ? this.#kb.checks.get(state.check) : undefined
    if (!check || !state) return void ctx.reply(this.#t(ctx.locale, 'check.apply_nothing'), this.#checkChoices(ctx))
    this.#outcome(ctx, check)
    if (!this.#demands) return void ctx.reply(this.#t(ctx.locale, 'check.apply_no_desk'))
    const summary = ticketSummary(check, runCheck(check, state.answers, this.#settlement(ctx)), state.answers, this.#t)
    ctx.updateResident({ dialogue: undefined })
    await this.#demands.apply(ctx, { category: check.topic, priority: 'normal', summary })
  }

  #nextQuestion(check: Check, state: DialogueState): Question | undefined {
    return check.questions.find((q) => state.answers[q.slot] === undefined && isAsked(q, state.answers))
  }

  /** The prompt id of the question the resident's open pre-check waits on. */
  #openPrompt(state: DialogueState | undefined): string | undefined {
    const check = state && state.status !== 'done' ? this.#kb.checks.get(state.check) : undefined
    const question = check && this.#nextQuestion(check, state!)
    return question && promptIdOf(check, state!, question)
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

  #settlement(ctx: Context) {
    return this.#kb.settlements.find((s) => s.id === ctx.resident.settlementId)
  }

  #outcome(ctx: Context, check: Check): void {
    ctx.outcome = { intent: check.topic, confidence: 1, fallback: false }
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

/** `check:<check>:<slot>:<turn>`: the turn changes with every answer, so an old button of the same question is stale too. */
function promptIdOf(check: Check, state: DialogueState, question: Question): string {
  return `check:${check.id}:${question.slot}:${state.turn ?? 0}`
}

/**
 * The state with one answer set: answers to questions that no longer apply (an employer's age after "I am a
 * resident" became "employer") are dropped, and the turn moves on.
 */
function withAnswer(check: Check, state: DialogueState, slot: string, value: SlotValue): DialogueState {
  const answers: Record<string, SlotValue> = { ...state.answers, [slot]: value }
  for (let changed = true; changed;) {
    changed = false
    for (const question of check.questions) {
      if (answers[question.slot] !== undefined && !isAsked(question, answers)) {
        delete answers[question.slot]
        changed = true
      }
    }
  }
  const asked = [...state.asked.filter((s) => s !== slot && answers[s] !== undefined), slot]
  return { ...state, answers, asked, turn: (state.turn ?? 0) + 1 }
}
