import { z } from 'zod'
import { normalise } from '../matcher/normalise'
import { POLICY_INTENT_IDS } from './schemas'

const nonEmpty = z.string().trim().min(1)
const words = z.array(nonEmpty).min(1).transform((list) => list.map(normalise).filter(Boolean))
const workingDays = z.number().int().positive().max(60)
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date such as 2026-10-08').refine((day) => !Number.isNaN(Date.parse(`${day}T00:00:00Z`)), 'not a real date')

const kindSchema = z.strictObject({
  workingDays,
  /** Words that make a demand this kind ("坏了", "漏水" → repair). consultation needs none: it is the default. */
  words: words.optional(),
})

/** The kinds of demand a desk tells apart, each with its own time limit (12345 hotlines: 咨询, 求助/报修, 投诉). */
export const DEMAND_KINDS = ['consultation', 'repair', 'complaint'] as const
export type DemandKind = (typeof DEMAND_KINDS)[number]

/**
 * Time limits of the demand desk (`knowledge/time-limits.yaml`): each county sets its own. Kinds are found by words
 * in the demand (repair words first, then complaint words), else by the topic's default kind.
 */
export const timeLimitsSchema = z.strictObject({
  /** Urgent danger: hours to the first contact by a caseworker (a reply, a call noted). */
  urgentFirstContactHours: z.number().positive().max(72),
  /** Working days after resolution within which the return visit must have an answer (else staff call). */
  returnVisitWorkingDays: workingDays,
  kinds: z.strictObject({ consultation: kindSchema, repair: kindSchema, complaint: kindSchema }),
  /** Per topic: its kind when no words say otherwise, and working days that differ from the kind's. */
  topics: z.partialRecord(z.enum(POLICY_INTENT_IDS), z.strictObject({
    defaultKind: z.enum(DEMAND_KINDS).optional(),
    workingDays: z.partialRecord(z.enum(DEMAND_KINDS), workingDays).optional(),
  })).default({}),
})
export type TimeLimitsFile = z.infer<typeof timeLimitsSchema>

/**
 * A county's own days (`knowledge/working-days.yaml`): days off and working days that differ from the national
 * calendar (a local festival, a day worked in lieu), and the national days of years the holiday package does not
 * know yet. A date here wins over the package.
 */
export const workingDaysSchema = z.strictObject({
  daysOff: z.array(z.strictObject({ date: isoDay, name: nonEmpty })).default([]),
  workingDays: z.array(z.strictObject({ date: isoDay, name: nonEmpty })).default([]),
}).superRefine((file, ctx) => {
  const off = new Set(file.daysOff.map((d) => d.date))
  file.workingDays.forEach((d, i) => {
    if (off.has(d.date)) ctx.addIssue({ code: 'custom', path: ['workingDays', i, 'date'], message: `${d.date} is a day off too` })
  })
})
export type WorkingDaysFile = z.infer<typeof workingDaysSchema>

/** Where urgent help goes when the resident has not said their settlement (`knowledge/duty-desk.yaml`). */
export const dutyDeskSchema = z.strictObject({
  /**
   * The county's duty desk (县级值班室). When set, it is alerted and its phone given; when absent, every
   * settlement's duty contacts are alerted and every settlement's duty phone given.
   */
  county: z.strictObject({
    name: z.strictObject({ 'zh-CN': nonEmpty, en: nonEmpty }),
    phone: nonEmpty,
    telegramChatId: z.string().optional(),
    wechatContact: z.string().optional(),
  }).nullable(),
})
export type DutyDesk = z.infer<typeof dutyDeskSchema>
