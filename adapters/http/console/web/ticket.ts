import { api } from './api'
import { clear, field, h, select } from './dom'
import { formatTime, t, tk } from './i18n'
import type { App, Page } from './main'
import { isSupervisor, markSeen, session, settlementName, staffName, topicName, type TicketSummary } from './session'

interface TicketEvent { at: string; actor: string; type: string; detail?: string }
interface Ticket {
  id: string; status: string; priority: string; category: string; settlementId?: string; channel: string
  summary: string; context: { at: string; from: 'resident' | 'assistant'; text: string }[]; assignee?: string
  dueAt: string; createdAt: string; resolution?: string; mergedInto?: string; location?: { building?: string; room?: string }
  satisfaction?: { solved: boolean; at: string }; events: TicketEvent[]
}
interface TicketView {
  ticket: Ticket
  resident: { locale: 'zh-CN' | 'en'; displayName?: string; channel: string }
  canned: { topic: string; label: { 'zh-CN': string; en: string }; text: string }[]
  assignable: { id: string; name: string }[]
  duplicates: TicketSummary[]
}

const OPEN = new Set(['open', 'assigned', 'in_progress', 'reopened'])
/** Events that are the ticket's own record; deliveries and alerts are in the history too, but quieter. */
const QUIET = new Set(['notification_queued', 'overdue_alert'])
const isQuiet = (event: TicketEvent) => QUIET.has(event.type) || (event.type === 'delivery' && event.detail === 'delivered')

/** A delivery event's detail is `delivered`, or `held: <reason>` / `failed: <reason>` as the channel said it. */
function deliveryText(detail = ''): string {
  const [state = '', ...reason] = detail.split(': ')
  const said = reason.join(': ').trim()
  return tk(`delivery.${state}`) + (said ? `（${said}）` : '')
}

const actorName = (actor: string) => (actor === 'resident' ? t('actorResident') : actor === 'system' ? t('actorSystem') : staffName(actor.replace(/^staff:/, '')))

function eventText(event: TicketEvent): string {
  const detail = event.type === 'status' ? tk(`status.${event.detail}`)
    : event.type === 'assigned' ? staffName(event.detail)
    : event.type === 'notification_queued' ? (event.detail ?? '').split(',').filter(Boolean).map(staffName).join('、')
    : event.type === 'delivery' ? deliveryText(event.detail)
    : event.detail ?? ''
  return tk(`event.${event.type}`, { detail })
}

/** One action: a form that posts, says it worked, and reloads the ticket. */
function actionForm(app: App, legend: string, controls: HTMLElement[], submit: string, send: (data: FormData) => Promise<unknown>, done: () => Promise<void>, confirmText?: (data: FormData) => string | undefined): HTMLFormElement {
  const button = h('button', { type: 'submit', class: 'primary' }, submit)
  const form = h('form', { class: 'action' }, h('fieldset', null, h('legend', null, legend), ...controls, button))
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const data = new FormData(form)
    const question = confirmText?.(data)
    if (question && !window.confirm(question)) return
    button.disabled = true
    try {
      await send(data)
      app.toast(t('done'))
      await done()
    } catch (error) {
      app.toast(app.failure(error), 'error')
      button.disabled = false
    }
  })
  return form
}

export const ticketPage: Page = async (main, [id = ''], app) => {
  const render = async () => {
    const view = await api<TicketView>('GET', `/console/api/tickets/${encodeURIComponent(id)}`)
    const { ticket, resident } = view
    const last = [...ticket.events].reverse().find((e) => e.type === 'created' || e.type === 'assigned' || (e.type === 'status' && e.detail === 'reopened'))
    markSeen(ticket.id, last?.at ?? ticket.createdAt)
    app.alerts.seen(ticket.id)
    const me = session().staff
    const post = (path: string, body: unknown) => api('POST', `/api/tickets/${ticket.id}/${path}`, body)
    const open = OPEN.has(ticket.status)
    const overdue = open && ticket.dueAt < new Date().toISOString()
    const languageName = resident.locale === 'en' ? t('language_en') : t('language_zh')
    const channelName = tk(`channel_${resident.channel}`)
    const residentWords = [ticket.summary, ...ticket.events.filter((e) => e.type === 'resident_message').map((e) => e.detail ?? '')]

    const reply = h('textarea', { name: 'text', rows: 4, required: true, maxlength: 2000, lang: resident.locale })
    const canned = view.canned.length ? select('canned', [['', t('cannedPick')], ...view.canned.map((c, i): [string, string] => [String(i), c.label[resident.locale] ?? c.label['zh-CN']])]) : null
    canned?.addEventListener('change', () => {
      const chosen = view.canned[Number(canned.value)]
      if (chosen) reply.value = chosen.text
      reply.focus()
    })
    const actions: HTMLElement[] = []
    if (open) {
      if (ticket.assignee !== me.id && me.role === 'caseworker') {
        actions.push(h('button', { type: 'button', class: 'primary', 'data-action': 'take', onclick: async () => {
          try { await post('assign', { assignee: me.id }); app.toast(t('done')); await render() } catch (error) { app.toast(app.failure(error), 'error') }
        } }, t('take')))
      }
      if (isSupervisor() && view.assignable.length) {
        actions.push(actionForm(app, t('assign'), [field(t('assignee'), select('assignee', view.assignable.map((m): [string, string] => [m.id, m.name]), ticket.assignee))], t('assignDo'),
          (d) => post('assign', { assignee: d.get('assignee') }), render))
      }
      actions.push(actionForm(app, t('reply'), [canned ? field(t('canned'), canned) : h('span'), field(t('replyText'), reply, t('replyHint', { channel: channelName, language: languageName }))], t('replySend'),
        async (d) => { await post('reply', { text: d.get('text') }); app.toast(t('sentToResident')) }, render))
      actions.push(actionForm(app, t('resolve'), [field(t('resolveNote'), h('textarea', { name: 'note', rows: 3, required: true, maxlength: 2000, lang: resident.locale }), t('resolveHint'))], t('resolveDo'),
        (d) => post('status', { status: 'resolved', note: d.get('note') }), render))
    } else if (!ticket.mergedInto) {
      actions.push(h('button', { type: 'button', class: 'secondary', onclick: async () => {
        try { await post('status', { status: 'reopened' }); await render() } catch (error) { app.toast(app.failure(error), 'error') }
      } }, t('reopen')))
    }
    actions.push(actionForm(app, t('note'), [field(t('noteText'), h('textarea', { name: 'text', rows: 2, required: true, maxlength: 2000 }), t('noteHint'))], t('noteAdd'),
      (d) => post('notes', { text: d.get('text') }), render))
    if (!ticket.mergedInto && ticket.status !== 'closed') {
      const into = h('input', { name: 'into', list: 'duplicates', required: true, pattern: 'T\\d{6}-\\d{4,}', placeholder: 'T261123-0007', autocomplete: 'off' })
      actions.push(actionForm(app, t('merge'), [
        h('p', { class: 'hint' }, t('mergeHint')),
        field(t('mergeInto'), into, view.duplicates.length ? undefined : t('mergeNone')),
        h('datalist', { id: 'duplicates' }, view.duplicates.map((d) => h('option', { value: d.id }, `${d.id} ${d.summary}`))),
      ], t('mergeDo'), (d) => post('merge', { into: String(d.get('into')).trim().toUpperCase() }), render,
      (d) => t('mergeConfirm', { id: ticket.id, into: String(d.get('into')).toUpperCase() })))
    }

    clear(main,
      h('p', null, h('a', { href: '#/inbox', class: 'back' }, '← ', t('back'))),
      h('div', { class: 'page-head' },
        h('h1', null, ticket.id, ' ', h('span', { class: `tag status-${ticket.status}` }, tk(`status.${ticket.status}`)), ticket.priority === 'urgent' ? h('span', { class: 'tag urgent' }, t('priority.urgent')) : null)),
      h('div', { class: 'ticket-grid' },
        h('div', { class: 'ticket-main' },
          h('section', { class: 'card words', 'aria-labelledby': 'words' }, h('h2', { id: 'words' }, t('residentWords')),
            residentWords.map((w) => h('blockquote', { lang: resident.locale }, w))),
          h('section', { class: 'card conv', 'aria-labelledby': 'conv' }, h('h2', { id: 'conv' }, t('conversation')),
            ticket.context.length ? h('ol', { class: 'conversation' }, ticket.context.map((line) => h('li', { class: line.from },
              h('span', { class: 'who' }, line.from === 'resident' ? t('actorResident') : t('appName')), h('span', { class: 'text', lang: resident.locale }, line.text)))) : h('p', { class: 'muted' }, t('noConversation'))),
          h('section', { class: 'card hist', 'aria-labelledby': 'hist' }, h('h2', { id: 'hist' }, t('history')),
            h('ol', { class: 'history' }, ticket.events.map((e) => h('li', { class: `ev-${e.type}${isQuiet(e) ? ' quiet' : ''}` },
              h('time', { datetime: e.at }, formatTime(e.at)), ' ', h('strong', null, actorName(e.actor)), ' · ', eventText(e),
              (e.type === 'reply' || e.type === 'note' || e.type === 'resolution') && e.detail ? h('p', { class: 'detail' }, e.detail) : null))))),
        h('aside', { class: 'ticket-side' },
          h('section', { class: 'card facts', 'aria-label': ticket.id }, h('dl', null,
            h('dt', null, t('settlement')), h('dd', null, settlementName(ticket.settlementId)),
            h('dt', null, t('topic')), h('dd', null, topicName(ticket.category)),
            h('dt', null, t('channel')), h('dd', null, channelName),
            h('dt', null, t('residentLanguage')), h('dd', null, languageName),
            h('dt', null, t('location')), h('dd', null, ticket.location ? [ticket.location.building && `${t('building')} ${ticket.location.building}`, ticket.location.room && `${t('room')} ${ticket.location.room}`].filter(Boolean).join(' · ') : t('locationNone')),
            h('dt', null, t('created')), h('dd', null, formatTime(ticket.createdAt)),
            h('dt', null, t('due')), h('dd', { class: overdue ? 'danger' : '' }, formatTime(ticket.dueAt)),
            h('dt', null, t('assignee')), h('dd', null, staffName(ticket.assignee)),
            ticket.resolution ? [h('dt', null, t('resolution')), h('dd', null, ticket.resolution)] : null,
            ticket.satisfaction ? [h('dt', null, t('satisfaction')), h('dd', null, ticket.satisfaction.solved ? t('solvedYes') : t('solvedNo'))] : null,
            ticket.mergedInto ? [h('dt', null, t('merge')), h('dd', null, h('a', { href: `#/ticket/${ticket.mergedInto}` }, t('mergedInto', { id: ticket.mergedInto })))] : null)),
          h('section', { class: 'actions', 'aria-label': t('actions') }, actions))))
  }
  await render()
  const keys = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement
    if (event.key === 'Escape') {
      location.hash = '#/inbox'
      return
    }
    if (event.ctrlKey || event.metaKey || event.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return
    const focus = (name: string) => main.querySelector<HTMLElement>(`textarea[name=${name}]`)?.focus()
    if (event.key === 'r') { event.preventDefault(); focus('text') }
    if (event.key === 'n') { event.preventDefault(); main.querySelectorAll<HTMLElement>('textarea[name=text]')[1]?.focus() }
  }
  document.addEventListener('keydown', keys)
  return () => document.removeEventListener('keydown', keys)
}
