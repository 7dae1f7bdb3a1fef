import { z } from 'zod'
import { localizedTextSchema, POLICY_INTENT_IDS, sourceSchema } from './schemas'

const slotIdSchema = z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'slot ids are lowerCamelCase')

/** Values a rule may take from outside the answers: the settlement directory's local standards. */
export const EXTERNAL_VALUES = ['settlement.dibaoStandardYuanPerMonth'] as const

/**
 * A condition over the answers (and over other rules' results), evaluated in three values: met, not met, unknown.
 * - `{ slot, op, value }` compares an answer; `valueFrom` takes the value from the settlement directory instead;
 *   `per` divides the answer by another one first (income per person).
 * - `{ rule, is }` looks at a rule's result (outcomes use it).
 * - `all`, `any`, `not` combine.
 */
export type Condition =
  | { slot: string; op: 'lt' | 'lte' | 'gt' | 'gte' | 'eq' | 'neq'; value?: number | boolean | string; valueFrom?: (typeof EXTERNAL_VALUES)[number]; per?: string }
  | { rule: string; is: 'met' | 'not_met' | 'unknown' }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }

export const conditionSchema: z.ZodType<Condition> = z.lazy(() => z.union([
  z.strictObject({
    slot: slotIdSchema,
    op: z.enum(['lt', 'lte', 'gt', 'gte', 'eq', 'neq']),
    value: z.union([z.number(), z.boolean(), z.string()]).optional(),
    valueFrom: z.enum(EXTERNAL_VALUES).optional(),
    per: slotIdSchema.optional(),
  }).refine((c) => (c.value === undefined) !== (c.valueFrom === undefined), 'give exactly one of `value` and `valueFrom`'),
  z.strictObject({ rule: slotIdSchema, is: z.enum(['met', 'not_met', 'unknown']) }),
  z.strictObject({ all: z.array(conditionSchema).min(1) }),
  z.strictObject({ any: z.array(conditionSchema).min(1) }),
  z.strictObject({ not: conditionSchema }),
]))

export const QUESTION_TYPES = ['yes_no', 'number', 'amount_yuan', 'age', 'choice'] as const

export const questionSchema = z.strictObject({
  slot: slotIdSchema,
  type: z.enum(QUESTION_TYPES),
  prompt: localizedTextSchema,
  /** Shown when an answer cannot be understood: a sample of a good answer. */
  example: localizedTextSchema,
  /** How the answer is shown back to the resident and to the caseworker ("家庭人口"). */
  label: localizedTextSchema,
  min: z.number().optional(),
  max: z.number().optional(),
  /** For `choice`: the options, with words residents use for each. */
  options: z.array(z.strictObject({
    value: slotIdSchema,
    label: localizedTextSchema,
    words: z.array(z.string().trim().min(1)).default([]),
  })).optional(),
  /** Asked only when this holds for the answers so far (an employer is not asked their age). */
  askIf: conditionSchema.optional(),
  /**
   * Words naming what is asked (车, 小汽车, car; 收入, 工资). A correction that names one changes this answer.
   * For `yes_no`, "有/是" followed by more than a few characters answers only when the rest names one of them,
   * so "有个老人残疾了" does not answer the car question.
   */
  about: z.array(z.string().trim().min(1)).default([]),
  /** For `yes_no`: things that do not count as a yes ("只有一辆三轮车" at the car question). */
  doesNotCount: z.array(z.string().trim().min(1)).default([]),
}).refine((q) => q.type !== 'choice' || (q.options?.length ?? 0) >= 2, { message: 'a choice question needs at least 2 options', path: ['options'] })

export const VERDICTS = ['likely_eligible', 'likely_not', 'needs_review'] as const
export type Verdict = (typeof VERDICTS)[number]

/** Tried in order; the first whose `when` holds (the last has none) is the result. */
const outcomesSchema = z.array(z.strictObject({
  id: slotIdSchema,
  verdict: z.enum(VERDICTS),
  when: conditionSchema.optional(),
  text: localizedTextSchema,
})).min(1).refine((outcomes) => outcomes.at(-1)!.when === undefined, 'the last outcome must have no `when`, so that every answer has a result')

/** One thing a check decides (低保, 特困): its own outcomes; shown only when `appliesIf` holds. */
const programmeSchema = z.strictObject({
  id: slotIdSchema,
  title: localizedTextSchema,
  appliesIf: conditionSchema.optional(),
  outcomes: outcomesSchema,
})

export const checkSchema = z.strictObject({
  id: slotIdSchema,
  /** The policy topic it belongs to: offered after that topic's answer, and the category of an application ticket. */
  topic: z.enum(POLICY_INTENT_IDS),
  title: localizedTextSchema,
  /** Phrasings that start the check directly ("我家能吃低保吗"); matched in normalised text. */
  triggers: z.strictObject({ 'zh-CN': z.array(z.string().trim().min(1)), en: z.array(z.string().trim().min(1)) }),
  questions: z.array(questionSchema).min(1),
  /** Each rule is listed in the result as met, not met or unknown, with its source clause. */
  rules: z.array(z.strictObject({
    id: slotIdSchema,
    label: localizedTextSchema,
    when: conditionSchema,
    /** Checked only when this holds (the enterprise subsidy is not about the resident's age). */
    appliesIf: conditionSchema.optional(),
    /**
     * The clause in each policy document that says it. A settlement is cited the clauses of its own documents
     * (`policyDocuments` in settlements.yaml); a rule with none of them does not apply there.
     */
    sources: z.array(sourceSchema).min(1),
  })),
  /** What the check decides, each with its outcomes: one programme, or several side by side (低保 and 特困). */
  programmes: z.array(programmeSchema).min(1),
  /** Extra lines shown when their condition holds: the stage to apply for, documents, aid. */
  notes: z.array(z.strictObject({ when: conditionSchema, text: localizedTextSchema })).default([]),
  /** The offices that decide, named in every result. */
  offices: z.array(localizedTextSchema).min(1),
})
export type Check = z.infer<typeof checkSchema>
export type Question = Check['questions'][number]
export type Programme = Check['programmes'][number]
