import type { Check, Condition, Programme, Verdict } from '../knowledge/check-schema'
import type { Settlement, Source } from '../knowledge/schemas'
import type { SlotValue } from './answers'

/** Met, not met, or unknown (an answer is missing, or a local standard is not set). */
export type Status = 'met' | 'not_met' | 'unknown'

/** Why a rule could not be decided: shown to the resident next to the rule. */
export type UnknownReason = 'no_settlement' | 'standard_not_set' | 'unanswered'

/** One rule's line in the trace, after OpenFisca's trace: what was checked, the result, and on what it rests. */
export interface RuleTrace {
  id: string
  status: Status
  reason?: UnknownReason
  /** The local standard the rule compared against, when it used one. */
  standard?: { value: number; sample: boolean }
  /** The clauses it rests on, in the settlement's own policy documents. */
  sources: Source[]
}

/** One programme's result: the first of its outcomes that holds. */
export interface ProgrammeResult {
  programme: Programme
  outcome: Programme['outcomes'][number]
  verdict: Verdict
}

export interface CheckResult {
  /** The programmes that apply to these answers (低保, and 特困 when asked about), each with its outcome. */
  programmes: ProgrammeResult[]
  /** Rules that apply to these answers, in file order. */
  trace: RuleTrace[]
  notes: Check['notes']
  /** Every clause the result rests on. */
  sources: Source[]
}

interface Facts {
  answers: Record<string, SlotValue>
  settlement?: Settlement
  rules: Map<string, RuleTrace>
}

const not = (status: Status): Status => (status === 'met' ? 'not_met' : status === 'not_met' ? 'met' : 'unknown')

/** Evaluates a condition in three values; `seen` collects why something was unknown and which standard was used. */
export function evaluate(condition: Condition, facts: Facts, seen: Omit<RuleTrace, 'id' | 'status' | 'sources'> = {}): Status {
  if ('all' in condition) {
    const parts = condition.all.map((c) => evaluate(c, facts, seen))
    return parts.includes('not_met') ? 'not_met' : parts.includes('unknown') ? 'unknown' : 'met'
  }
  if ('any' in condition) {
    const parts = condition.any.map((c) => evaluate(c, facts, seen))
    return parts.includes('met') ? 'met' : parts.includes('unknown') ? 'unknown' : 'not_met'
  }
  if ('not' in condition) return not(evaluate(condition.not, facts, seen))
  // A rule that does not apply here (its condition, or no clause in the settlement's documents) is none of the three.
  if ('rule' in condition) return facts.rules.get(condition.rule)?.status === condition.is ? 'met' : 'not_met'

  let left = facts.answers[condition.slot]
  if (left === undefined) return unknown(seen, 'unanswered')
  if (condition.per !== undefined) {
    const divisor = facts.answers[condition.per]
    if (typeof divisor !== 'number' || divisor <= 0 || typeof left !== 'number') return unknown(seen, 'unanswered')
    left = left / divisor
  }
  let right = condition.value
  if (condition.valueFrom) {
    if (!facts.settlement) return unknown(seen, 'no_settlement')
    const standard = facts.settlement.dibaoStandardYuanPerMonth
    if (standard === null) return unknown(seen, 'standard_not_set')
    seen.standard = { value: standard, sample: facts.settlement.sample }
    right = standard
  }
  return compare(left, condition.op, right!) ? 'met' : 'not_met'
}

function unknown(seen: Omit<RuleTrace, 'id' | 'status' | 'sources'>, reason: UnknownReason): Status {
  seen.reason ??= reason
  return 'unknown'
}

function compare(left: SlotValue, op: Extract<Condition, { op: unknown }>['op'], right: SlotValue): boolean {
  switch (op) {
    case 'eq': return left === right
    case 'neq': return left !== right
    case 'lt': return left < right
    case 'lte': return left <= right
    case 'gt': return left > right
    case 'gte': return left >= right
  }
}

/**
 * The clauses a rule rests on for a settlement: those of its own policy documents. Without a settlement, every
 * document's clause is cited (the resident has not said where they live).
 */
export function ruleSources(rule: Check['rules'][number], settlement?: Settlement): Source[] {
  return settlement ? rule.sources.filter((s) => settlement.policyDocuments.includes(s.file)) : rule.sources
}

/** Every clause a check rests on for a settlement, once each: named when the check opens. */
export function checkSources(check: Check, settlement?: Settlement): Source[] {
  return unique(check.rules.flatMap((rule) => ruleSources(rule, settlement)))
}

/**
 * Runs a check on the answers: every rule that applies (by its condition, and by the settlement's documents) with
 * its status, each programme's first outcome that holds, the notes.
 */
export function runCheck(check: Check, answers: Record<string, SlotValue>, settlement?: Settlement): CheckResult {
  const facts: Facts = { answers, settlement, rules: new Map() }
  for (const rule of check.rules) {
    const sources = ruleSources(rule, settlement)
    if (sources.length === 0 || (rule.appliesIf && evaluate(rule.appliesIf, facts) !== 'met')) continue
    const seen: Omit<RuleTrace, 'id' | 'status' | 'sources'> = {}
    const status = evaluate(rule.when, facts, seen)
    facts.rules.set(rule.id, { id: rule.id, status, ...(status === 'unknown' ? { reason: seen.reason } : {}), ...(seen.standard ? { standard: seen.standard } : {}), sources })
  }
  const programmes = check.programmes
    .filter((programme) => !programme.appliesIf || evaluate(programme.appliesIf, facts) === 'met')
    .map((programme) => {
      const outcome = programme.outcomes.find((o) => !o.when || evaluate(o.when, facts) === 'met')!
      return { programme, outcome, verdict: outcome.verdict }
    })
  const trace = [...facts.rules.values()]
  return {
    programmes,
    trace,
    notes: check.notes.filter((n) => evaluate(n.when, facts) === 'met'),
    sources: unique(trace.flatMap((line) => line.sources)),
  }
}

function unique(sources: Source[]): Source[] {
  const seen = new Set<string>()
  return sources.filter((s) => !seen.has(`${s.file}#${s.clause}`) && seen.add(`${s.file}#${s.clause}`))
}

/** Whether a question is asked, given the answers so far (unknown counts as no: it is asked later, if at all). */
export function isAsked(question: Check['questions'][number], answers: Record<string, SlotValue>): boolean {
  return !question.askIf || evaluate(question.askIf, { answers, rules: new Map() }) === 'met'
}
