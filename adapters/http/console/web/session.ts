import type { Localized } from './i18n'
import { pick, t } from './i18n'

export interface ConsoleSession {
  csrf: string
  idleMinutes: number
  staff: { id: string; name: string; role: 'caseworker' | 'supervisor' | 'admin'; settlements: string[]; hasChatContact: boolean }
  settlements: { id: string; name: Localized }[]
  topics: { id: string; title: Localized }[]
  tags: { id: string; label: Localized }[]
  colleagues: { id: string; name: string; role: string }[]
}

export interface TicketSummary {
  id: string
  status: string
  priority: 'urgent' | 'normal'
  topic: string
  settlementId?: string
  channel: string
  summary: string
  assignee?: string
  dueAt: string
  createdAt: string
  updatedAt: string
  overdue: boolean
  attentionAt: string
  newResidentMessages: number
}

let current: ConsoleSession | undefined

export const session = () => current!
export const setSession = (next: ConsoleSession | undefined) => { current = next }

export const settlementName = (id: string | undefined) => (id ? pick(current?.settlements.find((s) => s.id === id)?.name) || id : t('unknownSettlement'))
export const topicName = (id: string) => pick(current?.topics.find((s) => s.id === id)?.title) || (id === 'other' ? t('other') : id)
export const staffName = (id: string | undefined) => (id ? current?.colleagues.find((c) => c.id === id)?.name ?? id : t('unassigned'))
export const isSupervisor = () => current?.staff.role !== 'caseworker'

/**
 * Unread: tickets that asked for attention (created, assigned, reopened) after this person last opened them.
 * Kept per person in this browser; another browser shows them unread again, which errs on the side of seeing.
 */
const seenKey = () => `anju.console.seen.${current?.staff.id}`
function seenMap(): Record<string, string> {
  try {
    return JSON.parse(localStorage.getItem(seenKey()) ?? '{}') as Record<string, string>
  } catch {
    return {}
  }
}
export const isUnread = (ticket: Pick<TicketSummary, 'id' | 'attentionAt' | 'status'>) =>
  ticket.status !== 'resolved' && ticket.status !== 'closed' && (seenMap()[ticket.id] ?? '') < ticket.attentionAt
export function markSeen(id: string, at: string): void {
  const seen = seenMap()
  seen[id] = at
  localStorage.setItem(seenKey(), JSON.stringify(seen))
}
