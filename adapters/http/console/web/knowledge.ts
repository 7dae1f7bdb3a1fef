import { api, ApiError } from './api'
import { clear, field, h } from './dom'
import { chinaToday, formatTime, t } from './i18n'
import type { Page } from './main'
import { isSupervisor, settlementName } from './session'

interface Group { text: string; count: number; variants: string[]; lastAskedAt: string; settlements: string[]; locales: string[] }
type Reload = { ok: true; intents: number; topics: number } | { ok: false; problems: { file: string; path: string; reason: string }[] }

const daysAgo = (days: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() - days * 86_400_000))

export const knowledgePage: Page = async (main, _params, app, query) => {
  if (!isSupervisor()) {
    clear(main, h('h1', null, t('knowledgeTitle')), h('p', null, t('supervisorsOnly')))
    return
  }
  const from = query.get('from') ?? daysAgo(30)
  const to = query.get('to') ?? chinaToday()
  const range = h('form', { class: 'filters', onsubmit: (e: Event) => {
    e.preventDefault()
    const d = new FormData(e.target as HTMLFormElement)
    location.hash = `#/knowledge?from=${d.get('from')}&to=${d.get('to')}`
  } },
  field(t('from'), h('input', { type: 'date', name: 'from', value: from })),
  field(t('to'), h('input', { type: 'date', name: 'to', value: to })),
  h('button', { type: 'submit', class: 'secondary' }, t('show')))

  const { groups } = await api<{ groups: Group[] }>('GET', `/api/unanswered?from=${from}&to=${to}`)
  const outcome = h('div', { class: 'reload-outcome', 'aria-live': 'polite' })
  const reload = h('button', { type: 'button', class: 'primary', onclick: async () => {
    reload.disabled = true
    try {
      const result = await api<Reload>('POST', '/console/api/knowledge/reload').catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 422) return error.body as Reload
        throw error
      })
      clear(outcome, result.ok
        ? h('p', { class: 'ok' }, t('reloadOk', { intents: result.intents, topics: result.topics }))
        : [h('p', { class: 'error', role: 'alert' }, t('reloadFailed')), h('ul', { class: 'problems' }, result.problems.map((p) => h('li', null, h('code', null, p.file.replace(/^.*?(knowledge|intents)\//, '$1/')), p.path ? ` › ${p.path}` : '', `：${p.reason}`)))])
    } catch (error) {
      clear(outcome, h('p', { class: 'error', role: 'alert' }, app.failure(error)))
    }
    reload.disabled = false
  } }, t('reloadDo'))

  clear(main,
    h('div', { class: 'page-head' }, h('h1', null, t('knowledgeTitle'))),
    h('section', { class: 'card', 'aria-labelledby': 'unanswered-title' },
      h('h2', { id: 'unanswered-title' }, t('unansweredTitle')), h('p', { class: 'muted' }, t('unansweredHint')), range,
      groups.length ? h('ol', { class: 'groups' }, groups.map((g) => h('li', null,
        h('span', { class: 'count-pill', 'aria-label': t('asked', { n: g.count }) }, t('asked', { n: g.count })),
        h('span', { class: 'question', lang: g.locales[0] ?? 'zh-CN' }, g.text),
        g.variants.length ? h('details', null, h('summary', null, `${t('variants')} (${g.variants.length})`), h('ul', null, g.variants.map((v) => h('li', null, v)))) : null,
        h('p', { class: 'muted' }, `${g.settlements.map(settlementName).join('、')} · ${t('lastAsked')} ${formatTime(g.lastAskedAt)}`)))) : h('p', { class: 'muted' }, t('noUnanswered'))),
    h('section', { class: 'card', 'aria-labelledby': 'reload-title' },
      h('h2', { id: 'reload-title' }, t('reloadTitle')), h('p', { class: 'muted' }, t('reloadHint')), reload, outcome))
}
