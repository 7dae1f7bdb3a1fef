import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import type { Locale } from '../knowledge/schemas'
import { inAudience, type ResidentProfile } from '../store/types'

const text = (max: number) => z.string({ error: 'must be text' }).trim().min(1, 'must not be empty').max(max, `is at most ${max} characters`)
const localized = (max: number) => z.strictObject({ 'zh-CN': text(max), en: text(max).optional() }, { error: 'needs zh-CN text (and optionally en)' })
const isoDateTime = z.iso.datetime({ offset: true, error: 'an ISO date and time such as 2026-11-23T09:00:00+08:00' })

/**
 * A notice as staff write it (API body, CLI yaml). The author comes from the staff token, never from the body.
 * Cross-field rules (expiry after the send time, known settlements and tags) are checked by the notice service.
 */
export const noticeInputSchema = z.strictObject({
  title: localized(100),
  body: localized(2000),
  audience: z.strictObject({
    settlements: z.union([z.literal('all'), z.array(z.string().trim().min(1)).min(1, 'name at least one settlement, or "all"')], {
      error: '"all" or a list of settlement ids',
    }),
    tags: z.array(z.string().trim().min(1)).optional(),
  }),
  /** "now" or an ISO time; now when absent. */
  sendAt: z.union([z.literal('now'), isoDateTime]).default('now'),
  /** An ISO time, or `validForDays` after the send time (what a reusable file such as the example uses). */
  expiresAt: isoDateTime.optional(),
  validForDays: z.number({ error: 'a whole number of days, 1 to 365' }).int().min(1).max(365).optional(),
}).refine((notice) => (notice.expiresAt === undefined) !== (notice.validForDays === undefined), {
  message: 'give either expiresAt (an ISO time) or validForDays (1 to 365), not both',
  path: ['expiresAt'],
  // Checked even when other fields are wrong, so that every problem is reported at once.
  when: (payload) => typeof payload.value === 'object' && payload.value !== null,
})
export type NoticeInput = z.input<typeof noticeInputSchema>
export type ParsedNoticeInput = z.infer<typeof noticeInputSchema>

export const NOTICE_STATUSES = ['scheduled', 'sending', 'done', 'cancelled', 'expired'] as const
export type NoticeStatus = (typeof NOTICE_STATUSES)[number]

export interface Audience {
  settlements: 'all' | string[]
  /** Residents with any of these tags; every subscriber when empty. */
  tags: string[]
}

export interface Notice {
  id: string
  title: { 'zh-CN': string; en?: string }
  body: { 'zh-CN': string; en?: string }
  audience: Audience
  sendAt: string
  expiresAt: string
  /** Staff id of the author. */
  author: string
  /** scheduled → sending → done; or cancelled; or expired (its expiry came before every delivery). */
  status: NoticeStatus
  createdAt: string
  updatedAt: string
  /** Set when the recipients are planned (the delivery records exist). */
  plannedAt?: string
  cancelledBy?: string
}

export const newNoticeId = () => `N${randomBytes(6).toString('hex')}`
export const NOTICE_ID = /^N[0-9a-f]{12}$/

/** The resident's own language where the notice has it, zh-CN otherwise. */
export function noticeText(notice: Pick<Notice, 'title' | 'body'>, locale: Locale | undefined): { title: string; body: string; locale: Locale } {
  if (locale === 'en' && notice.title.en && notice.body.en) return { title: notice.title.en, body: notice.body.en, locale: 'en' }
  return { title: notice.title['zh-CN'], body: notice.body['zh-CN'], locale: 'zh-CN' }
}

/** Whether a notice is addressed to a resident's settlement and interests (not whether they subscribe). */
export const addressedTo = (audience: Audience, resident: Pick<ResidentProfile, 'settlementId' | 'tags'>): boolean => inAudience(audience, resident)

export const isActive = (notice: Notice, now: Date) =>
  (notice.status === 'sending' || notice.status === 'done' || notice.status === 'expired') && notice.sendAt <= now.toISOString() && now.toISOString() < notice.expiresAt
