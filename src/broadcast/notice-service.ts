import { AnjuError } from '../core/errors'
import type { Clock } from '../core/clock'
import type { Logger } from '../core/logger'
import type { StaffDirectory, StaffMember } from '../escalation/staff'
import type { StaffAudit } from '../escalation/staff-audit'
import type { ResidentProfile } from '../store/types'
import type { Broadcaster } from './broadcaster'
import type { DeliveryCounts } from './delivery-log'
import { addressedTo, isActive, newNoticeId, noticeInputSchema, type Notice, type ParsedNoticeInput } from './notice'
import type { NoticeRepository } from './notice-store'

export const NOTICE_SCHEDULER_DEFAULTS = {
  /** How often scheduled notices are looked at. */
  intervalMs: 15_000,
}

export interface NoticeServiceDeps {
  notices: NoticeRepository
  broadcaster: Broadcaster
  staff: StaffDirectory
  audit: StaffAudit
  /** Settlement ids and tag ids notices may name. */
  settlementIds: readonly string[]
  tagIds: readonly string[]
  clock: Clock
  logger: Logger
  intervalMs?: number
}

export type NoticeWithProgress = Notice & { progress?: DeliveryCounts }

/**
 * Notices for staff (create, preview, list, get, cancel, with roles and audit) and their schedule: `tick` starts
 * the notices that are due and resumes the ones a restart interrupted. Statuses are stored, so a notice survives
 * restarts: scheduled → sending → done (or cancelled, or expired).
 */
export class NoticeService {
  readonly #d: NoticeServiceDeps
  /** Broadcasts running in this process. */
  readonly #runs = new Map<string, Promise<void>>()
  #timer?: NodeJS.Timeout
  #ticking: Promise<void> | null = null

  constructor(deps: NoticeServiceDeps) {
    this.#d = deps
  }

  /** Validates a notice as staff wrote it; a bad one is a 400 saying what is wrong. */
  validate(body: unknown): ParsedNoticeInput & { sendAtIso: string; expiresAtIso: string } {
    const parsed = noticeInputSchema.safeParse(body)
    if (!parsed.success) {
      throw new AnjuError('ANJU_ERR_BAD_REQUEST', parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '))
    }
    const input = parsed.data
    const problems: string[] = []
    const now = this.#d.clock.now()
    const sendAt = input.sendAt === 'now' ? now : new Date(input.sendAt)
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : new Date(sendAt.getTime() + input.validForDays! * 86_400_000)
    if (expiresAt <= sendAt) problems.push('expiresAt: must be after the send time')
    if (expiresAt <= now) problems.push('expiresAt: is already past')
    if (input.audience.settlements !== 'all') {
      for (const id of input.audience.settlements) {
        if (!this.#d.settlementIds.includes(id)) problems.push(`audience.settlements: unknown settlement "${id}" (known: ${this.#d.settlementIds.join(', ')})`)
      }
    }
    for (const tag of input.audience.tags ?? []) {
      if (!this.#d.tagIds.includes(tag)) problems.push(`audience.tags: unknown tag "${tag}" (known: ${this.#d.tagIds.join(', ')})`)
    }
    if (problems.length > 0) throw new AnjuError('ANJU_ERR_BAD_REQUEST', problems.join('; '))
    return { ...input, sendAtIso: sendAt.toISOString(), expiresAtIso: expiresAt.toISOString() }
  }

  async create(member: StaffMember, body: unknown): Promise<Notice> {
    const input = this.validate(body)
    this.#mayAddress(member, input.audience.settlements, 'create')
    const now = this.#d.clock.now().toISOString()
    const notice: Notice = {
      id: newNoticeId(),
      title: input.title,
      body: input.body,
      audience: { settlements: input.audience.settlements, tags: [...new Set(input.audience.tags ?? [])] },
      sendAt: input.sendAtIso,
      expiresAt: input.expiresAtIso,
      author: member.id,
      status: 'scheduled',
      createdAt: now,
      updatedAt: now,
    }
    await this.#d.notices.add(notice)
    await this.#audit(member, 'notice.create', notice.id, { audience: notice.audience, sendAt: notice.sendAt })
    return notice
  }

  /** The audience's size before sending: by channel, and who would be skipped and why. */
  async preview(member: StaffMember, body: unknown) {
    const input = this.validate(body)
    this.#mayAddress(member, input.audience.settlements, 'preview')
    await this.#audit(member, 'notice.preview', undefined, { audience: input.audience })
    return this.#d.broadcaster.preview({ settlements: input.audience.settlements, tags: input.audience.tags ?? [] })
  }

  async list(member: StaffMember): Promise<Notice[]> {
    await this.#audit(member, 'notice.list')
    return (await this.#d.notices.list()).filter((n) => this.#canSee(member, n))
  }

  async get(member: StaffMember, id: string): Promise<NoticeWithProgress> {
    const notice = await this.#visible(member, id)
    await this.#audit(member, 'notice.get', id)
    return notice.plannedAt ? { ...notice, progress: await this.#d.broadcaster.progress(id) } : notice
  }

  async cancel(member: StaffMember, id: string): Promise<Notice> {
    const notice = await this.#visible(member, id)
    this.#mayAddress(member, notice.audience.settlements, 'cancel')
    if (notice.status !== 'scheduled' && notice.status !== 'sending') throw new AnjuError('ANJU_ERR_CONFLICT', `notice ${id} is ${notice.status}`)
    const cancelled = await this.#d.notices.update(id, { status: 'cancelled', cancelledBy: member.id, updatedAt: this.#d.clock.now().toISOString() })
    this.#d.broadcaster.stop(id)
    await this.#audit(member, 'notice.cancel', id)
    return cancelled
  }

  /** Notices a resident may read now: active, addressed to their settlement and interests, newest first. */
  async activeFor(resident: Pick<ResidentProfile, 'settlementId' | 'tags'>, limit = 5): Promise<Notice[]> {
    const now = this.#d.clock.now()
    return (await this.#d.notices.list()).filter((n) => isActive(n, now) && addressedTo(n.audience, resident)).slice(0, limit)
  }

  /** Starts due notices and resumes interrupted ones; concurrent calls share one round. */
  tick(): Promise<void> {
    this.#ticking ??= this.#tick().finally(() => { this.#ticking = null })
    return this.#ticking
  }

  /** Resolves once every broadcast running in this process has ended (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#runs.size > 0) await Promise.all([...this.#runs.values()])
  }

  async start(): Promise<void> {
    this.#timer ??= setInterval(() => void this.tick().catch((error: unknown) => this.#d.logger.error({ err: error }, 'notices: round failed')), this.#d.intervalMs ?? NOTICE_SCHEDULER_DEFAULTS.intervalMs)
    this.#timer.unref()
    await this.tick()
  }

  /** Stops the schedule and the running broadcasts (after their sends in flight); they resume at the next start. */
  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    for (const id of this.#runs.keys()) this.#d.broadcaster.stop(id)
    await this.idle()
  }

  async #tick(): Promise<void> {
    const now = this.#d.clock.now().toISOString()
    for (const notice of await this.#d.notices.list()) {
      if (this.#runs.has(notice.id)) continue
      if (notice.status === 'scheduled' && notice.expiresAt <= now) {
        await this.#d.notices.update(notice.id, { status: 'expired', updatedAt: now })
        continue
      }
      if (notice.status === 'scheduled' && notice.sendAt <= now) {
        // Planned before it is marked sending: a crash while planning plans again, and nothing was sent yet.
        const counts = await this.#d.broadcaster.plan(notice)
        const sending = await this.#d.notices.update(notice.id, { status: 'sending', plannedAt: now, updatedAt: now })
        this.#d.logger.info({ notice: notice.id, recipients: counts.queued, skipped: counts.skipped }, 'notices: broadcast planned')
        this.#launch(sending)
      } else if (notice.status === 'sending') {
        this.#d.logger.info({ notice: notice.id }, 'notices: resuming a broadcast')
        this.#launch(notice)
      }
    }
  }

  #launch(notice: Notice): void {
    const run = (async () => {
      const outcome = await this.#d.broadcaster.run(notice)
      if (outcome === 'stopped') return
      if (outcome === 'waiting') {
        // Some recipients are not settled: their channel is not running here, or another instance sharing the store
        // holds them (sending, or claimed by one that died, until its lease ends). The notice stays "sending" and the
        // next round resumes it.
        this.#d.logger.warn({ notice: notice.id, progress: await this.#d.broadcaster.progress(notice.id) }, 'notices: broadcast waiting for its channel or another instance')
        return
      }
      const current = await this.#d.notices.get(notice.id)
      if (current?.status !== 'sending') return
      await this.#d.notices.update(notice.id, { status: outcome, updatedAt: this.#d.clock.now().toISOString() })
      this.#d.logger.info({ notice: notice.id, outcome, progress: await this.#d.broadcaster.progress(notice.id) }, 'notices: broadcast ended')
    })()
      .catch((error: unknown) => this.#d.logger.error({ err: error, notice: notice.id }, 'notices: broadcast failed; it resumes at the next round'))
      .finally(() => this.#runs.delete(notice.id))
    this.#runs.set(notice.id, run)
  }

  #canSee(member: StaffMember, notice: Notice): boolean {
    if (member.role === 'admin') return true
    const { settlements } = notice.audience
    return settlements === 'all' || settlements.some((s) => member.settlements.includes(s))
  }

  async #visible(member: StaffMember, id: string): Promise<Notice> {
    const notice = await this.#d.notices.get(id)
    if (notice && this.#canSee(member, notice)) return notice
    // Another settlements' notice answers like a missing one; the attempt is audited.
    if (notice) await this.#audit(member, 'notice.denied', id)
    throw new AnjuError('ANJU_ERR_NOT_FOUND', `no notice ${id}`)
  }

  /** Supervisors create and cancel for their own settlements, admins for all; caseworkers only preview theirs. */
  #mayAddress(member: StaffMember, settlements: 'all' | string[], action: 'create' | 'cancel' | 'preview'): void {
    if (member.role === 'admin') return
    if (action !== 'preview' && member.role === 'caseworker') throw new AnjuError('ANJU_ERR_FORBIDDEN', `caseworkers may not ${action} notices`)
    if (settlements === 'all') throw new AnjuError('ANJU_ERR_FORBIDDEN', 'only admins address every settlement')
    const others = settlements.filter((s) => !member.settlements.includes(s))
    if (others.length > 0) throw new AnjuError('ANJU_ERR_FORBIDDEN', `not your settlements: ${others.join(', ')}`)
  }

  #audit(member: StaffMember, action: string, target?: string, detail?: unknown): Promise<void> {
    return this.#d.audit.record(member, action, target, detail)
  }
}
