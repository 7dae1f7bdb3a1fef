import { api } from './api'
import { clear, field, h } from './dom'
import { formatTime, pick, t, tk, type Localized } from './i18n'
import type { App, Page } from './main'
import { isSupervisor, session, settlementName, staffName } from './session'

interface Counts { total: number; queued: number; sending: number; retry: number; sent: number; failed: number; skipped: Record<string, number> }
interface Notice {
  id: string; title: Localized; body: Localized; audience: { settlements: 'all' | string[]; tags: string[] }
  sendAt: string; expiresAt: string; author: string; status: string; progress?: Counts
}
interface Preview { recipients: number; byChannel: Record<string, number>; skipped: Record<string, number> }

const LIVE = new Set(['scheduled', 'sending'])
const POLL_MS = 1000
const DAY_MS = 86_400_000

/** A China-time `datetime-local` value (what the input shows) for an instant, and back. */
const toLocalInput = (at: Date) => new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 16)
const fromLocalInput = (value: string) => new Date(`${value}:00+08:00`).toISOString()

const audienceText = (n: Notice) => (n.audience.settlements === 'all' ? t('allSettlements') : n.audience.settlements.map(settlementName).join('、'))

function skippedList(skipped: Record<string, number>): HTMLElement {
  const entries = Object.entries(skipped).filter(([, n]) => n > 0)
  return h('ul', { class: 'plain' }, entries.length ? entries.map(([reason, n]) => h('li', null, `${tk(`skip.${reason}`)}：${n}`)) : h('li', null, '0'))
}

function progressView(notice: Notice): HTMLElement {
  const p = notice.progress
  const skipped = p ? Object.values(p.skipped).reduce((a, b) => a + b, 0) : 0
  const toSend = p ? p.total - skipped : 0
  const finished = p ? p.sent + p.failed + p.sending : 0
  const percent = toSend === 0 ? (notice.status === 'done' ? 100 : 0) : Math.round((finished / toSend) * 100)
  // Set through the style object: the page's content security policy refuses inline style attributes.
  const bar = h('span')
  bar.style.width = `${percent}%`
  return h('div', { class: 'progress-block' },
    h('div', { class: 'progress', role: 'progressbar', 'aria-label': t('progress'), 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': percent }, bar),
    p ? h('p', { class: 'progress-text', 'aria-live': 'polite' },
      `${t('sent')} ${p.sent}/${toSend} · ${t('failedCount')} ${p.failed} · ${t('retrying')} ${p.retry} · ${t('queued')} ${p.queued}${p.sending ? ` · ${t('sendingUnknown')} ${p.sending}` : ''}`) : null,
    p ? h('details', null, h('summary', null, `${t('skipped')}: ${skipped}`), skippedList(p.skipped)) : null)
}

function composer(app: App, onCreated: (notice: Notice) => void): HTMLElement {
  const me = session()
  const now = new Date()
  const text = (name: string, required: boolean, rows?: number) => rows
    ? h('textarea', { name, rows, required, maxlength: 2000 })
    : h('input', { name, required, maxlength: 100 })
  const settlements = me.staff.role === 'admin'
    ? [['all', t('allSettlements')] as [string, string], ...me.settlements.map((s): [string, string] => [s.id, pick(s.name)])]
    : me.settlements.map((s): [string, string] => [s.id, pick(s.name)])
  const when = h('input', { type: 'datetime-local', name: 'sendAt', value: toLocalInput(new Date(now.getTime() + 3_600_000)), disabled: true })
  const result = h('div', { class: 'preview', 'aria-live': 'polite' })
  const form = h('form', { class: 'card compose', 'aria-labelledby': 'compose-title' },
    h('h2', { id: 'compose-title' }, t('newNotice')),
    h('div', { class: 'two' }, field(t('titleZh'), text('title.zh', true)), field(t('titleEn'), text('title.en', false))),
    h('div', { class: 'two' }, field(t('bodyZh'), text('body.zh', true, 5)), field(t('bodyEn'), text('body.en', false, 5))),
    h('fieldset', null, h('legend', null, t('audience')),
      settlements.map(([id, name], i) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'settlement', value: id, checked: i === 0 && id !== 'all' }), name))),
    h('fieldset', null, h('legend', null, t('tags')),
      me.tags.map((tag) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'tag', value: tag.id }), pick(tag.label)))),
    h('fieldset', null, h('legend', null, t('sendAt')),
      h('label', { class: 'check' }, h('input', { type: 'radio', name: 'when', value: 'now', checked: true }), t('sendNow')),
      h('label', { class: 'check' }, h('input', { type: 'radio', name: 'when', value: 'later' }), t('sendLater')),
      field(t('sendAtTime'), when)),
    field(t('expiresAt'), h('input', { type: 'datetime-local', name: 'expiresAt', required: true, value: toLocalInput(new Date(now.getTime() + 7 * DAY_MS)) })),
    h('div', { class: 'buttons' },
      h('button', { type: 'button', class: 'secondary', 'data-action': 'preview', onclick: () => void preview() }, t('preview')),
      isSupervisor() ? h('button', { type: 'submit', class: 'primary' }, t('send')) : h('p', { class: 'hint' }, t('caseworkerNotices'))),
    result)
  form.addEventListener('change', (e) => {
    if ((e.target as HTMLInputElement).name === 'when') when.disabled = (e.target as HTMLInputElement).value !== 'later'
  })

  const body = () => {
    const d = new FormData(form)
    const chosen = d.getAll('settlement').map(String)
    const localized = (name: string) => ({ 'zh-CN': String(d.get(`${name}.zh`) ?? ''), ...(String(d.get(`${name}.en`) ?? '').trim() ? { en: String(d.get(`${name}.en`)) } : {}) })
    return {
      title: localized('title'),
      body: localized('body'),
      audience: { settlements: chosen.includes('all') ? 'all' : chosen, tags: d.getAll('tag').map(String) },
      sendAt: d.get('when') === 'later' && when.value ? fromLocalInput(when.value) : 'now',
      expiresAt: fromLocalInput(String(d.get('expiresAt'))),
    }
  }
  const preview = async (): Promise<Preview | undefined> => {
    try {
      const answer = await api<Preview>('POST', '/api/notices/preview', body())
      clear(result,
        h('p', null, h('strong', null, t('previewResult', { n: answer.recipients }))),
        h('p', null, `${t('byChannel')}：`, Object.entries(answer.byChannel).map(([c, n]) => `${tk(`channel_${c}`)} ${n}`).join('，') || '0'),
        h('p', null, `${t('skipped')}：`), skippedList(answer.skipped))
      return answer
    } catch (error) {
      clear(result, h('p', { class: 'error', role: 'alert' }, app.failure(error)))
      return undefined
    }
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const audience = await preview()
    if (!audience) return
    if (audience.recipients === 0 && !(await confirmDialog(t('confirmNobody', { reason: t('confirmNobodyReason') }), t('confirmSend')))) return
    try {
      onCreated(await api<Notice>('POST', '/api/notices', body()))
    } catch (error) {
      clear(result, h('p', { class: 'error', role: 'alert' }, app.failure(error)))
    }
  })
  return form
}

/** A modal question with focus kept inside (the native dialog); resolves true when confirmed. */
function confirmDialog(question: string, confirm: string): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'card', 'aria-labelledby': 'confirm-text' },
      h('p', { id: 'confirm-text' }, question),
      h('div', { class: 'buttons' },
        h('button', { type: 'button', class: 'secondary', value: 'no', onclick: () => dialog.close('no') }, t('cancel')),
        h('button', { type: 'button', class: 'danger', value: 'yes', onclick: () => dialog.close('yes') }, confirm)))
    dialog.addEventListener('close', () => {
      dialog.remove()
      resolve(dialog.returnValue === 'yes')
    })
    document.body.append(dialog)
    dialog.showModal()
  })
}

export const noticesPage: Page = async (main, [id], app) => {
  if (id) return noticeDetail(main, id, app)
  const notices = (await api<{ notices: Notice[] }>('GET', '/api/notices')).notices
  clear(main,
    h('div', { class: 'page-head' }, h('h1', null, t('noticesTitle'))),
    h('div', { class: 'notices-grid' },
      composer(app, (notice) => { location.hash = `#/notices/${notice.id}` }),
      h('section', { class: 'card', 'aria-labelledby': 'list-title' }, h('h2', { id: 'list-title' }, t('noticeList')),
        notices.length ? h('ul', { class: 'notice-list' }, notices.map((n) => h('li', null,
          h('a', { href: `#/notices/${n.id}` }, pick(n.title)), ' ',
          h('span', { class: `tag nstatus-${n.status}` }, tk(`nstatus.${n.status}`)),
          h('p', { class: 'muted' }, `${audienceText(n)} · ${formatTime(n.sendAt)}`)))) : h('p', { class: 'muted' }, t('noNotices')))))
}

async function noticeDetail(main: HTMLElement, id: string, app: App): Promise<() => void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const section = h('section', { class: 'card', 'aria-labelledby': 'notice-title' })
  clear(main, h('p', null, h('a', { href: '#/notices', class: 'back' }, '← ', t('noticesTitle'))), section)
  const draw = async (background: boolean) => {
    const notice = await api<Notice>('GET', `/api/notices/${id}`, undefined, { background })
    clear(section,
      h('h1', { id: 'notice-title' }, pick(notice.title), ' ', h('span', { class: `tag nstatus-${notice.status}`, 'data-status': notice.status }, tk(`nstatus.${notice.status}`))),
      h('p', { class: 'body' }, pick(notice.body)),
      h('dl', { class: 'facts' },
        h('dt', null, t('audience')), h('dd', null, audienceText(notice)),
        h('dt', null, t('sendAt')), h('dd', null, formatTime(notice.sendAt)),
        h('dt', null, t('expiresAt')), h('dd', null, formatTime(notice.expiresAt)),
        h('dt', null, t('author')), h('dd', null, staffName(notice.author))),
      h('h2', null, t('progress')), progressView(notice),
      LIVE.has(notice.status) && isSupervisor() ? h('button', { type: 'button', class: 'danger', onclick: async () => {
        if (!(await confirmDialog(t('cancelConfirm'), t('cancelNotice')))) return
        try { await api('POST', `/api/notices/${id}/cancel`); await draw(false) } catch (error) { app.toast(app.failure(error), 'error') }
      } }, t('cancelNotice')) : null)
    if (LIVE.has(notice.status)) timer = setTimeout(() => void draw(true).catch(() => undefined), POLL_MS)
  }
  await draw(false)
  return () => clearTimeout(timer)
}
