import { z } from 'zod'
import { POLICY_INTENT_IDS } from '../knowledge/schemas'
import type { IntentMatcher, MatchExplanation } from './matcher'

const POLICY_INTENTS = new Set<string | null>(POLICY_INTENT_IDS)

export const evalLineSchema = z.object({
  text: z.string().min(1),
  intent: z.string().nullable(),
  /** A second label that also counts as right (the question really is about both). */
  alt_intent: z.string().nullable().optional(),
  /** The style of the line (dialect, long, multi ...): accuracy is reported per kind. */
  kind: z.string().optional(),
  /** Danger happening now: the line must (true) or must not (false) raise an urgent demand. */
  urgent: z.boolean().optional(),
}).passthrough()
export type EvalLine = z.infer<typeof evalLineSchema>

export interface EvalMiss {
  text: string
  kind?: string
  expected: (string | null)[]
  got: string | null
  confidence: number
  refusal?: string
  /** What decided it: the features behind the best two intents, and the runner-up. */
  why: MatchExplanation['why']
}

export interface KindStats {
  kind: string
  total: number
  correct: number
}

/** Urgent danger: messages flagged, and, on lines that say whether they are urgent, both kinds of error. */
export interface UrgentStats {
  flagged: string[]
  labelled: number
  /** Labelled urgent, not flagged: the worse error. */
  missed: string[]
  /** Flagged, labelled not urgent. */
  falseAlarms: string[]
}

export interface IntentStats {
  intent: string
  precision: number
  recall: number
  support: number
}

export interface EvalReport {
  inScope: { total: number; correct: number; accuracy: number }
  /** Refused: no policy answer (the fallback or a greeting), or the item's alternative label. `nullIntent` counts the fallback. */
  outOfScope: { total: number; refused: number; refusalRate: number; nullIntent: number }
  perIntent: IntentStats[]
  perKind: KindStats[]
  urgent: UrgentStats
  misses: EvalMiss[]
}

const ratio = (part: number, whole: number) => (whole === 0 ? 1 : part / whole)

/** Parses JSON lines, saying which line is wrong. */
export function parseEvalLines(content: string, fileName: string): EvalLine[] {
  return content.split('\n').flatMap((line, index) => {
    if (!line.trim()) return []
    const parsed = evalLineSchema.safeParse(JSON.parse(line))
    if (!parsed.success) throw new Error(`${fileName} line ${index + 1}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
    return [parsed.data]
  })
}

/** Runs a labelled set through the matcher: in-scope top-1 accuracy, out-of-scope refusal, per-intent precision and recall. */
export function evaluate(matcher: IntentMatcher, lines: readonly EvalLine[]): EvalReport {
  const misses: EvalMiss[] = []
  const predicted = new Map<string, { right: number; all: number }>()
  const expectedCount = new Map<string, { found: number; all: number }>()
  let inScope = 0
  let inScopeCorrect = 0
  let outOfScope = 0
  let refused = 0
  let nullIntent = 0
  const kinds = new Map<string, KindStats>()
  const urgent: UrgentStats = { flagged: [], labelled: 0, missed: [], falseAlarms: [] }
  for (const line of lines) {
    const accepted = [line.intent, ...(line.alt_intent !== undefined ? [line.alt_intent] : [])]
    const result = matcher.explain(line.text)
    const flagged = result.danger?.now === true
    if (flagged) urgent.flagged.push(line.text)
    if (line.urgent !== undefined) {
      urgent.labelled += 1
      if (line.urgent && !flagged) urgent.missed.push(line.text)
      if (!line.urgent && flagged) urgent.falseAlarms.push(line.text)
    }
    // Out of scope, anything but a policy answer is right: "你好" may be greeted, never given policy.
    const right = line.intent === null ? !POLICY_INTENTS.has(result.intent) || accepted.includes(result.intent) : accepted.includes(result.intent)
    if (line.intent === null) {
      outOfScope += 1
      if (right) refused += 1
      if (result.intent === null) nullIntent += 1
    } else {
      inScope += 1
      if (right) inScopeCorrect += 1
      const stats = expectedCount.get(line.intent) ?? { found: 0, all: 0 }
      stats.all += 1
      if (right) stats.found += 1
      expectedCount.set(line.intent, stats)
    }
    if (result.intent !== null) {
      const stats = predicted.get(result.intent) ?? { right: 0, all: 0 }
      stats.all += 1
      if (right) stats.right += 1
      predicted.set(result.intent, stats)
    }
    if (line.kind !== undefined) {
      const stats = kinds.get(line.kind) ?? { kind: line.kind, total: 0, correct: 0 }
      stats.total += 1
      if (right) stats.correct += 1
      kinds.set(line.kind, stats)
    }
    if (!right) {
      misses.push({ text: line.text, kind: line.kind, expected: accepted, got: result.intent, confidence: result.confidence, refusal: result.refusal, why: result.why })
    }
  }
  const intents = [...new Set([...expectedCount.keys(), ...predicted.keys()])].sort()
  return {
    inScope: { total: inScope, correct: inScopeCorrect, accuracy: ratio(inScopeCorrect, inScope) },
    outOfScope: { total: outOfScope, refused, refusalRate: ratio(refused, outOfScope), nullIntent },
    perIntent: intents.map((intent) => ({
      intent,
      precision: ratio(predicted.get(intent)?.right ?? 0, predicted.get(intent)?.all ?? 0),
      recall: ratio(expectedCount.get(intent)?.found ?? 0, expectedCount.get(intent)?.all ?? 0),
      support: expectedCount.get(intent)?.all ?? 0,
    })),
    perKind: [...kinds.values()].sort((a, b) => a.kind.localeCompare(b.kind)),
    urgent,
    misses,
  }
}
