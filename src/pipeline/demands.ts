import type { Middleware } from '../core/composer'
import { chinaTimeText } from '../core/china-time'
import { RecentMap } from '../core/recent-map'
import type { Context } from '../core/context'
import type { ContextLine, Ticket } from '../escalation/ticket'
import { isOpenStatus } from '../escalation/ticket'
import type { TicketService } from '../escalation/ticket-service'
import type { Translate } from '../i18n'
import type { KnowledgeBase } from '../knowledge/loader'
import { POLICY_INTENT_IDS } from '../knowledge/schemas'
import { MATCHER_DEFAULTS } from '../matcher/matcher'
import { normalise } from '../matcher/normalise'
import { findLocation } from './location'
import type { ResidentProfile } from '../store/types'
import type { TokenBuckets } from './rate-limit'

export const DEMAND_DEFAULTS = {
  /** Lines of recent conversation a ticket carries for the caseworker. */
  contextLines: 6,
  /** Residents whose recent lines are kept in memory (the oldest are forgotten first). */
  recentResidents: 10_000,
  /** A second demand on the same topic this soon after the first is added to it, not a new ticket. */
  mergeWindowMs: 10 * 60_000,
  /** Fallbacks in a row after which a caseworker is offered. */
  fallbacksBeforeOffer: 2,
  /** A message this long (normalised characters) describes the problem; shorter ones ("我要投诉") do not. */
  minDescriptionChars: 8,
  /**
   * An answer to "what is it about" or "which building and room" this long after the question is not taken as
   * one: a question left pending by a crash or a day away must not swallow an unrelated message.
   */
  pendingAnswerMs: 30 * 60_000,
}

const SOLVED = /^\/solved\s+(T\d{6}-\d+)\s+(yes|no)$/i
const CASEWORKER = /^\/caseworker\s+(yes|no)$/i
const STATUS_COMMAND = /^\/status$/i
const POLICY = new Set<string>(POLICY_INTENT_IDS)
/** The category of a demand that no policy topic fits. */
const OTHER_TOPIC = 'other'
// A topic scoring this much in a demand's own words names its category. Well under the matcher's threshold:
// the demand itself ("我要投诉") takes most of the score, and what it is about ("物业乱收费") comes second.
const MIN_TOPIC_SCORE = MATCHER_DEFAULTS.threshold / 3

type Draft = NonNullable<ResidentProfile['demandDraft']>
type RaisedDraft = Draft & { summary: string }

/** Per resident, in memory: the last lines (a ticket's context), the topic, and fallbacks in a row. */
export class DemandMemory extends RecentMap<string, { lines: ContextLine[]; lastTopic?: string; fallbacks: number }> {
  constructor() {
    super(DEMAND_DEFAULTS.recentResidents)
  }
}

/**
 * The resident's side of the demand desk: urgent triage, putting a demand together (settlement, a one-line
 * description, "算了" to cancel), offering a caseworker after two fallbacks, the status of their tickets and the
 * return visit. It runs between the matcher and the answer, so an escalation is never answered with a leaflet.
 */
export class DemandConversation {
  readonly #service: TicketService
  readonly #kb: KnowledgeBase
  readonly #t: Translate
  readonly #askSettlement: (ctx: Context) => void
  readonly #recent: DemandMemory
  readonly #words: KnowledgeBase['words']
  readonly #addressTickets?: TokenBuckets

  constructor(service: TicketService, kb: KnowledgeBase, translate: Translate, askSettlement: (ctx: Context) => void, memory = new DemandMemory(), addressTickets?: TokenBuckets) {
    this.#service = service
    this.#addressTickets = addressTickets
    this.#recent = memory
    this.#kb = kb
    this.#t = translate
    this.#askSettlement = askSettlement
    // Normalised when the knowledge base was loaded.
    this.#words = kb.words
  }

  readonly middleware: Middleware = async (ctx, next) => {
    const text = ctx.message.text.trim()
    const normalised = normalise(text)
    this.#remember(ctx, 'resident', text)
    try {
      if (await this.#commands(ctx, text)) return
      if (ctx.match?.danger?.now) return await this.#urgent(ctx, text)
      if (await this.#pendingQuestion(ctx, text, normalised)) return
      const intent = ctx.match?.intent
      // A demand word in a request Anju must refuse ("淘宝商家不退货，我要投诉他") is not a demand to the community.
      const demandWord = ctx.match?.refusal !== 'out_of_scope' && this.#words.demand.some((word) => normalised.includes(word))
      if (intent === 'escalation' || demandWord) {
        return await this.#start(ctx, { category: this.#topic(ctx), priority: 'normal', summary: this.#description(text) })
      }
      if (intent === 'ticket_status') return await this.#status(ctx)
      await next()
      this.#afterAnswer(ctx, text)
    } finally {
      for (const reply of ctx.replies) this.#remember(ctx, 'assistant', reply.text)
      if (POLICY.has(ctx.outcome.intent ?? '') && ctx.outcome.intent !== 'escalation') this.#recentOf(ctx.residentKey).lastTopic = ctx.outcome.intent!
    }
  }

  /** Called once the resident has told their settlement: a demand waiting for it goes on. */
  async afterSettlement(ctx: Context): Promise<void> {
    await this.#service.settle(ctx.residentKey, ctx.resident.settlementId!)
    const draft = ctx.resident.demandDraft
    if (draft) await this.#start(ctx, draft)
  }

  /**
   * An application prepared elsewhere (a pre-check's answers in `summary`): raised like any demand, asking
   * the settlement first if it is not known, so the resident never repeats what they said.
   */
  async apply(ctx: Context, draft: RaisedDraft): Promise<void> {
    await this.#start(ctx, draft)
  }

  async #commands(ctx: Context, text: string): Promise<boolean> {
    const solved = SOLVED.exec(text)
    if (solved) {
      const ticket = await this.#service.returnVisitAnswer(ctx.residentKey, solved[1]!.toUpperCase(), solved[2]!.toLowerCase() === 'yes')
      ctx.reply(this.#t(ctx.locale, !ticket ? 'ticket.return_visit_unknown' : ticket.satisfaction?.solved ? 'ticket.thanks_solved' : 'ticket.reopened', { id: solved[1] }))
      return true
    }
    const offer = CASEWORKER.exec(text)
    if (offer) {
      await this.#answerOffer(ctx, offer[1]!.toLowerCase() === 'yes')
      return true
    }
    if (STATUS_COMMAND.test(text)) {
      await this.#status(ctx)
      return true
    }
    return false
  }

  /** Answers to what the assistant asked last: a description, yes/no to a caseworker, or to a return visit. */
  async #pendingQuestion(ctx: Context, text: string, normalised: string): Promise<boolean> {
    const { awaiting, demandDraft } = ctx.resident
    if (await this.#returnVisitReply(ctx, normalised)) return true
    if ((awaiting === 'demand_location' || awaiting === 'demand_description') && demandDraft && this.#stale(ctx, demandDraft)) {
      await this.#settleStaleQuestion(ctx, awaiting, demandDraft)
      return false
    }
    if (awaiting === 'demand_location' && demandDraft) {
      if (this.#words.cancel.includes(normalised)) return this.#cancel(ctx)
      // Words that name no building or room are kept with the demand rather than filed as an address.
      const location = this.#words.skip.includes(normalised) ? undefined : findLocation(text)
      const summary = location || this.#words.skip.includes(normalised) ? demandDraft.summary : `${demandDraft.summary} / ${text}`
      if (location) ctx.updateResident({ home: location })
      await this.#start(ctx, { ...demandDraft, summary, ...(location ? { location } : {}) })
      return true
    }
    if (awaiting === 'demand_description' && demandDraft) {
      if (this.#words.cancel.includes(normalised)) return this.#cancel(ctx)
      await this.#start(ctx, { ...demandDraft, summary: text })
      return true
    }
    if (awaiting === 'caseworker_offer') {
      if (this.#words.yes.includes(normalised)) return this.#answerOffer(ctx, true).then(() => true)
      if (this.#words.no.includes(normalised) || this.#words.cancel.includes(normalised)) return this.#answerOffer(ctx, false).then(() => true)
      ctx.updateResident({ awaiting: undefined, demandDraft: undefined })
    }
    return false
  }

  /**
   * "解决了" / "没解决" (or 1 / 2, the order the return visit offered them) answers the return visit of the
   * resident's most recently resolved ticket. Return visits arrive through the outbox, not as a pipeline turn,
   * so this does not rely on the numbered choices being remembered.
   */
  async #returnVisitReply(ctx: Context, normalised: string): Promise<boolean> {
    const solved = this.#words.solved.includes(normalised) || normalised === '1' ? true : this.#words.unsolved.includes(normalised) || normalised === '2' ? false : undefined
    if (solved === undefined || ctx.resident.awaiting) return false
    const waiting = (await this.#service.ofResident(ctx.residentKey)).filter((t) => t.status === 'resolved').at(-1)
    if (!waiting) return false
    await this.#commands(ctx, `/solved ${waiting.id} ${solved ? 'yes' : 'no'}`)
    return true
  }

  async #answerOffer(ctx: Context, accepted: boolean): Promise<void> {
    const draft = ctx.resident.demandDraft ?? { category: OTHER_TOPIC, priority: 'normal' as const }
    ctx.updateResident({ awaiting: undefined })
    this.#recentOf(ctx.residentKey).fallbacks = 0
    if (!accepted) {
      ctx.updateResident({ demandDraft: undefined })
      ctx.reply(this.#t(ctx.locale, 'ticket.offer_declined'))
      return
    }
    await this.#start(ctx, draft)
  }

  /** A question asked longer ago than `pendingAnswerMs` (drafts from before `askedAt` was kept count as stale). */
  #stale(ctx: Context, draft: Draft): boolean {
    return !draft.askedAt || ctx.message.receivedAt.getTime() - Date.parse(draft.askedAt) > DEMAND_DEFAULTS.pendingAnswerMs
  }

  /**
   * A stale question is dropped, and this message is read on its own. A demand that only waited for where it is
   * is raised as it stands, so nothing the resident asked for is lost; one without a description has nothing to raise.
   */
  async #settleStaleQuestion(ctx: Context, awaiting: 'demand_location' | 'demand_description', draft: Draft): Promise<void> {
    ctx.updateResident({ awaiting: undefined, demandDraft: undefined })
    if (awaiting === 'demand_location' && draft.summary) await this.#raiseAndTell(ctx, draft as RaisedDraft)
  }

  #cancel(ctx: Context): boolean {
    ctx.updateResident({ awaiting: undefined, demandDraft: undefined })
    ctx.reply(this.#t(ctx.locale, 'ticket.cancelled'))
    return true
  }

  /** Puts a demand together: settlement first, then a description, then the ticket. */
  async #start(ctx: Context, draft: Draft): Promise<void> {
    this.#escalating(ctx)
    if (!ctx.resident.settlementId) {
      ctx.updateResident({ demandDraft: draft })
      ctx.reply(this.#t(ctx.locale, 'ticket.need_settlement'))
      this.#askSettlement(ctx)
      return
    }
    const askedAt = ctx.message.receivedAt.toISOString()
    if (!draft.summary) {
      ctx.updateResident({ demandDraft: { ...draft, askedAt }, awaiting: 'demand_description' })
      ctx.reply(this.#t(ctx.locale, 'ticket.ask_description'))
      return
    }
    if (this.#asksForLocation(draft as RaisedDraft)) {
      // Said in the demand, else as the resident gave it for an earlier repair; asked only when neither.
      const said = findLocation(draft.summary)
      const found = said ?? ctx.resident.home
      if (!found) {
        ctx.updateResident({ demandDraft: { ...draft, locationAsked: true, askedAt }, awaiting: 'demand_location' })
        ctx.reply(this.#t(ctx.locale, 'ticket.ask_location'))
        return
      }
      if (said && !ctx.resident.home) ctx.updateResident({ home: said })
      draft = { ...draft, location: found }
    }
    ctx.updateResident({ demandDraft: undefined, awaiting: undefined })
    await this.#raiseAndTell(ctx, draft as RaisedDraft)
  }

  /** Raises the demand and tells the resident its number, and in plain words how long it may take. */
  async #raiseAndTell(ctx: Context, draft: RaisedDraft): Promise<void> {
    // The question is closed on disk before the ticket exists: after a crash in between, a resend is a new message,
    // never the answer to a question whose ticket was already raised.
    await ctx.saveResidentNow()
    const { askedAt: _asked, locationAsked: _located, ...demand } = draft
    const ticket = await this.#raise(ctx, demand)
    if (!ticket) return this.#heldBack(ctx, demand.summary)
    // Where answers cannot be sent later (the chat API, the terminal), the resident is told how to ask for them.
    const created = ctx.canPush ? 'ticket.created' : 'ticket.created_no_push'
    const key = ticket.joined ? 'ticket.joined_open' : ticket.merged ? 'ticket.merged' : created
    const limit = this.#service.limitOf(ticket)
    ctx.reply(this.#t(ctx.locale, key, {
      id: ticket.id,
      due: chinaTimeText(ticket.dueAt, ctx.locale),
      count: this.#service.maxOpenPerResident,
      limit: this.#t(ctx.locale, `ticket.limit.${limit.kind}`, { days: limit.workingDays }),
    }))
  }

  /** A housing demand or any repair asks where, once; urgent demands are never held up by it. */
  #asksForLocation(draft: RaisedDraft): boolean {
    if (draft.priority !== 'normal' || draft.location || draft.locationAsked) return false
    return this.#words.locationTopics.includes(draft.category as never) || this.#service.kindOf(draft.category, draft.summary) === 'repair'
  }

  async #urgent(ctx: Context, text: string): Promise<void> {
    this.#escalating(ctx, 1)
    // Urgency is the priority; the category stays the topic it is about (a gas leak at home is housing).
    const ticket = (await this.#raise(ctx, { category: this.#topic(ctx), priority: 'urgent', summary: text }))!
    const settlement = this.#settlementOf(ctx)
    // Before the settlement is known: every duty phone the resident could ring (or the county duty desk's).
    const dutyPhones = settlement ? '' : this.#service.dutyPhones(ctx.locale).map((duty) => this.#t(ctx.locale, 'triage.duty_phone_line', { ...duty })).join('\n')
    ctx.reply(this.#t(ctx.locale, settlement ? 'triage.reply' : 'triage.reply_no_settlement', {
      dutyPhone: settlement?.serviceCentre.dutyPhone,
      dutyPhones,
      hours: this.#service.limitOf(ticket).firstContactHours,
    }))
    if (ticket.joined) ctx.reply(this.#t(ctx.locale, 'ticket.joined_open', { id: ticket.id, count: this.#service.maxOpenPerResident }))
    if (!settlement) this.#askSettlement(ctx)
  }

  #settlementOf(ctx: Context) {
    return this.#kb.settlements.find((s) => s.id === ctx.resident.settlementId)
  }

  /** The turn is an escalation, resting on the escalation topic's sources ("问题不出村"). */
  #escalating(ctx: Context, confidence = ctx.outcome.confidence): void {
    ctx.outcome = { intent: 'escalation', confidence, fallback: false }
    if (ctx.sources.length === 0) ctx.cite(this.#kb.topics.get('escalation')!.sources)
  }

  /**
   * A new ticket, or the same demand added to the resident's ticket of a moment ago (a double send). Undefined when
   * the resident's network address has raised too many new tickets this hour (never for an urgent demand).
   */
  async #raise(ctx: Context, draft: RaisedDraft): Promise<(Ticket & { merged?: boolean; joined?: true }) | undefined> {
    const now = ctx.message.receivedAt.getTime()
    const recent = (await this.#service.ofResident(ctx.residentKey)).find((t) =>
      isOpenStatus(t.status) && t.category === draft.category && now - Date.parse(t.createdAt) < DEMAND_DEFAULTS.mergeWindowMs)
    if (recent) return { ...(await this.#service.addResidentMessage(recent.id, draft.summary)), merged: true }
    const origin = ctx.message.origin
    if (draft.priority === 'normal' && origin && this.#addressTickets && !this.#addressTickets.take(origin).allowed) return undefined
    return this.#service.create({
      residentKey: ctx.residentKey,
      channel: ctx.message.channel,
      channelUserId: ctx.message.channelUserId,
      settlementId: ctx.resident.settlementId,
      category: draft.category,
      summary: draft.summary,
      priority: draft.priority,
      locale: ctx.locale,
      ...(draft.location ? { location: draft.location } : {}),
      context: [...this.#recentOf(ctx.residentKey).lines],
    })
  }

  /**
   * Too many new tickets from one address (a flood of invented residents): the demand is not lost, it is on the
   * unanswered list that staff read, with the demand quoted in the reply, and the resident is told how to reach the
   * service centre meanwhile.
   */
  #heldBack(ctx: Context, summary: string): void {
    ctx.outcome = { ...ctx.outcome, fallback: true }
    const settlement = this.#settlementOf(ctx)
    ctx.reply(this.#t(ctx.locale, settlement ? 'ticket.address_busy' : 'ticket.address_busy_no_settlement', { phone: settlement?.serviceCentre.phone, summary }))
  }

  async #status(ctx: Context): Promise<void> {
    ctx.outcome = { intent: 'ticket_status', confidence: ctx.outcome.confidence, fallback: false }
    const tickets = (await this.#service.ofResident(ctx.residentKey)).filter((t) => isOpenStatus(t.status) || t.status === 'resolved')
    if (tickets.length === 0) {
      ctx.reply(this.#t(ctx.locale, 'ticket.status_none'))
      return
    }
    const lines = tickets.map((t) => this.#t(ctx.locale, 'ticket.status_line', {
      id: t.id,
      status: this.#t(ctx.locale, `ticket.status.${t.status}`),
      summary: t.summary,
      answer: [...t.events].reverse().find((e) => e.type === 'reply')?.detail ?? this.#t(ctx.locale, 'ticket.no_answer_yet'),
    }))
    ctx.reply(`${this.#t(ctx.locale, 'ticket.status_intro')}\n${lines.join('\n')}`)
  }

  /** After two fallbacks in a row, offer a caseworker with what the resident asked. */
  #afterAnswer(ctx: Context, text: string): void {
    const recent = this.#recentOf(ctx.residentKey)
    recent.fallbacks = ctx.outcome.fallback ? recent.fallbacks + 1 : 0
    const streak = recent.fallbacks
    if (streak < DEMAND_DEFAULTS.fallbacksBeforeOffer) return
    recent.fallbacks = 0
    const asked = recent.lines.filter((l) => l.from === 'resident').slice(-streak).map((l) => l.text)
    ctx.updateResident({ awaiting: 'caseworker_offer', demandDraft: { category: OTHER_TOPIC, priority: 'normal', summary: asked.join(' / ') || text } })
    ctx.reply(this.#t(ctx.locale, 'ticket.offer'), [
      { label: this.#t(ctx.locale, 'ticket.offer_yes'), value: '/caseworker yes' },
      { label: this.#t(ctx.locale, 'ticket.offer_no'), value: '/caseworker no' },
    ])
  }

  /** The policy topic this message is about ("投诉物业乱收费" → housing), else the conversation's, else `other`. */
  #topic(ctx: Context): string {
    const topical = ctx.match?.ranking.find((r) => POLICY.has(r.intent) && r.intent !== 'escalation' && r.score >= MIN_TOPIC_SCORE)
    return topical?.intent ?? this.#recentOf(ctx.residentKey).lastTopic ?? OTHER_TOPIC
  }

  #description(text: string): string | undefined {
    return normalise(text).replace(/\s/g, '').length >= DEMAND_DEFAULTS.minDescriptionChars ? text : undefined
  }

  #remember(ctx: Context, from: ContextLine['from'], text: string): void {
    const recent = this.#recentOf(ctx.residentKey)
    recent.lines.push({ at: ctx.message.receivedAt.toISOString(), from, text })
    recent.lines.splice(0, Math.max(0, recent.lines.length - DEMAND_DEFAULTS.contextLines))
  }

  #recentOf(key: string) {
    let recent = this.#recent.get(key)
    if (!recent) this.#recent.set(key, (recent = { lines: [], fallbacks: 0 }))
    return recent
  }

}
