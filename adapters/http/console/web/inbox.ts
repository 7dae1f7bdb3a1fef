import { api } from './api'
import { clear, field, h, select } from './dom'
import { duration, formatTime, pick, t, tk } from './i18n'
import type { Page } from './main'
import { isUnread, session, settlementName, staffName, topicName, type TicketSummary } from './session'

interface Inbox {
  counts: { unresolved: number; overdue: number; urgent: number; mine: number; unassigned: number; byStatus: Record<string, number> }
  total: number
  tickets: TicketSummary[]
}

const STATUSES = ['open', 'assigned', 'in_progress', 'reopened', 'resolved', 'closed']
/** Filters kept in the address (#/inbox?status=…), so that back, reload and a shared link show the same list. */
const FILTERS = ['status', 'settlement', 'topic', 'priority', 'overdue', 'assignee'] as const
const REFRESH_MS = 60_000

export const inboxPage: Page = async (main, _params, app, query) => {
  if (!query.has('status')) query.set('status', 'unresolved')
  const me = session()
  const setFilter = (name: string, value: string | undefined) => {
    if (value) query.set(name, value)
    else query.delete(name)
    location.hash = `#/inbox?${query.toString()}`
  }

  const filters = h('form', { class: 'filters', 'aria-label': t('filters'), onsubmit: (e: Event) => e.preventDefault() },
    field(t('status'), select('status', [['unresolved', t('unresolved')], ['', t('allStatuses')], ...STATUSES.map((s): [string, string] => [s, tk(`status.${s}`)])], query.get('status') ?? '')),
    me.settlements.length > 1 ? field(t('settlement'), select('settlement', [['', t('any')], ...me.settlements.map((s): [string, string] => [s.id, pick(s.name)])], query.get('settlement') ?? '')) : null,
    field(t('topic'), select('topic', [['', t('any')], ...me.topics.map((s): [string, string] => [s.id, pick(s.title)])], query.get('topic') ?? '')),
    field(t('priority'), select('priority', [['', t('any')], ['urgent', t('priority.urgent')], ['normal', t('priority.normal')]], query.get('priority') ?? '')),
    field(t('who'), select('assignee', [['', t('whoAll')], ['me', t('whoMine')], ['unassigned', t('whoUnassigned')]], query.get('assignee') ?? '')),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'overdue', checked: query.get('overdue') === 'true' }), t('overdueOnly')))
  filters.addEventListener('change', (event) => {
    const target = event.target as HTMLInputElement | HTMLSelectElement
    setFilter(target.name, target instanceof HTMLInputElement && target.type === 'checkbox' ? (target.checked ? 'true' : undefined) : target.value || undefined)
  })
  // "All statuses" is an empty value that must still be kept, or the default (unresolved) would come back.
  filters.querySelector<HTMLSelectElement>('select[name=status]')!.addEventListener('change', (e) => {
    e.stopPropagation()
    query.set('status', (e.target as HTMLSelectElement).value)
    location.hash = `#/inbox?${query.toString()}`
  })

  const counts = h('ul', { class: 'counts', 'aria-label': t('filters') })
  const list = h('ol', { class: 'tickets', 'aria-labelledby': 'inbox-title' })
  const summary = h('p', { class: 'muted', 'aria-live': 'polite' })
  clear(main,
    h('div', { class: 'page-head' }, h('h1', { id: 'inbox-title' }, t('inboxTitle')), h('p', { class: 'muted shortcuts' }, h('kbd', null, '?'), ' ', t('shortcuts'))),
    counts, filters, summary, list)

  const countButton = (label: string, n: number, apply: Record<string, string | undefined>, tone = '') =>
    h('li', null, h('button', { type: 'button', class: `count ${tone}`, onclick: () => {
      for (const name of FILTERS) query.delete(name)
      query.set('status', 'unresolved')
      for (const [name, value] of Object.entries(apply)) if (value) query.set(name, value)
      location.hash = `#/inbox?${query.toString()}`
    } }, h('strong', null, String(n)), ' ', label))

  const row = (ticket: TicketSummary) => {
    const due = Date.parse(ticket.dueAt) - Date.now()
    const finished = ticket.status === 'resolved' || ticket.status === 'closed'
    const unread = isUnread(ticket)
    return h('li', { class: `ticket${ticket.overdue ? ' overdue' : ''}${ticket.priority === 'urgent' && !finished ? ' urgent' : ''}${unread ? ' unread' : ''}` },
      h('a', { href: `#/ticket/${ticket.id}`, class: 'ticket-link', 'data-ticket': ticket.id },
        h('span', { class: 'line1' },
          unread ? h('span', { class: 'dot', title: t('unreadMark') }, h('span', { class: 'sr' }, t('unreadMark'))) : null,
          h('span', { class: 'id' }, ticket.id),
          ticket.priority === 'urgent' ? h('span', { class: 'tag urgent' }, t('priority.urgent')) : null,
          ticket.newResidentMessages > 0 ? h('span', { class: 'tag added' }, t('residentAdded', { n: ticket.newResidentMessages })) : null,
          h('span', { class: `tag status-${ticket.status}` }, tk(`status.${ticket.status}`)),
          h('span', { class: 'tag' }, topicName(ticket.topic)),
          h('span', { class: 'due' }, finished ? formatTime(ticket.dueAt) : ticket.overdue ? t('overdueBy', { t: duration(due) }) : t('dueIn', { t: duration(due) }))),
        h('span', { class: 'summary' }, ticket.summary),
        h('span', { class: 'line3 muted' }, settlementName(ticket.settlementId), ' · ', staffName(ticket.assignee), ' · ', formatTime(ticket.createdAt))))
  }

  let inbox: Inbox | undefined
  const load = async (background: boolean) => {
    const params = new URLSearchParams([...query].filter(([, v]) => v))
    inbox = await api<Inbox>('GET', `/console/api/inbox?${params.toString()}`, undefined, { background })
    const c = inbox.counts
    clear(counts,
      countButton(t('countUnresolved'), c.unresolved, {}),
      countButton(t('countOverdue'), c.overdue, { overdue: 'true' }, c.overdue ? 'danger' : ''),
      countButton(t('countUrgent'), c.urgent, { priority: 'urgent' }, c.urgent ? 'danger' : ''),
      countButton(t('countMine'), c.mine, { assignee: 'me' }),
      countButton(t('countUnassigned'), c.unassigned, { assignee: 'unassigned' }))
    summary.textContent = inbox.tickets.length ? t('showing', { n: inbox.total }) : t('noTickets')
    const focused = (document.activeElement as HTMLElement | null)?.dataset.ticket
    clear(list, inbox.tickets.map(row))
    if (focused) list.querySelector<HTMLElement>(`[data-ticket="${focused}"]`)?.focus()
    app.alerts.track(inbox.tickets)
  }
  await load(false)

  const links = () => [...list.querySelectorAll<HTMLAnchorElement>('a.ticket-link')]
  const move = (step: number) => {
    const all = links()
    const index = all.indexOf(document.activeElement as HTMLAnchorElement)
    all[Math.max(0, Math.min(all.length - 1, index + step))]?.focus()
  }
  const keys = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement
    if (event.ctrlKey || event.metaKey || event.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return
    const actions: Record<string, () => void> = {
      j: () => move(1), k: () => move(-1),
      m: () => setFilter('assignee', 'me'), u: () => setFilter('assignee', 'unassigned'),
      a: () => { setFilter('assignee', undefined) },
      o: () => setFilter('overdue', query.get('overdue') === 'true' ? undefined : 'true'),
      r: () => void load(false),
      '/': () => filters.querySelector<HTMLElement>('select')?.focus(),
      '?': () => app.toast(t('shortcutsHelp')),
    }
    const action = actions[event.key]
    if (!action) return
    event.preventDefault()
    action()
  }
  document.addEventListener('keydown', keys)
  const stopAlerts = app.alerts.onAlert(() => void load(true).catch(() => undefined))
  const timer = setInterval(() => void load(true).catch(() => undefined), REFRESH_MS)
  return () => {
    document.removeEventListener('keydown', keys)
    stopAlerts()
    clearInterval(timer)
  }
}
