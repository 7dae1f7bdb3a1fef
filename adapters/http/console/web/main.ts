import { Alerts } from './alerts'
import { api, ApiError, setCsrf } from './api'
import { clear, field, h } from './dom'
import { locale, setLocale, t, type Locale } from './i18n'
import { inboxPage } from './inbox'
import { knowledgePage } from './knowledge'
import { noticesPage } from './notices'
import { reportsPage } from './reports'
import { session, setSession, type ConsoleSession } from './session'
import { ticketPage } from './ticket'

/** A page draws itself into `main`; the cleanup it returns runs when the page is left. */
export type Page = (main: HTMLElement, params: string[], app: App, query: URLSearchParams) => Promise<(() => void) | void>

export interface App {
  alerts: Alerts
  toast(text: string, kind?: 'ok' | 'error'): void
  /** The text for a failed call: the server's reason, or the network. */
  failure(error: unknown): string
}

const root = document.getElementById('app')!
const alerts = new Alerts()
let cleanup: (() => void) | void
let signedOutForIdle = false

const app: App = {
  alerts,
  toast(text, kind = 'ok') {
    const toast = h('div', { class: `toast ${kind}` }, text)
    document.getElementById('toasts')!.append(toast)
    setTimeout(() => toast.remove(), 6000)
  },
  failure(error) {
    if (error instanceof ApiError && error.status !== 0) return t('failed', { reason: error.message })
    return t('network')
  },
}

const routes: Record<string, Page> = { inbox: inboxPage, ticket: ticketPage, notices: noticesPage, knowledge: knowledgePage, reports: reportsPage }
const navItems: [string, Parameters<typeof t>[0]][] = [['inbox', 'navInbox'], ['notices', 'navNotices'], ['knowledge', 'navKnowledge'], ['reports', 'navReports']]

function languageSwitch(onChange: () => void): HTMLElement {
  return h('div', { class: 'lang', role: 'group', 'aria-label': t('language') },
    (['zh-CN', 'en'] as Locale[]).map((code) => h('button', {
      type: 'button', 'aria-pressed': String(locale() === code),
      onclick: () => { setLocale(code); onChange() },
    }, code === 'zh-CN' ? '中文' : 'English')))
}

function brand(): HTMLElement {
  return h('a', { class: 'brand', href: '#/inbox' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '安'), h('span', { class: 'brand-name' }, t('appName'), h('small', null, t('appSub'))))
}

function renderSignIn(message?: string): void {
  alerts.stop()
  document.title = `${t('appName')} · ${t('signInTitle')}`
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'current-password', required: true, spellcheck: 'false' })
  const error = h('p', { class: 'error', role: 'alert' }, message ?? '')
  const form = h('form', { class: 'card sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, t('signInTitle')),
    field(t('tokenLabel'), input, t('tokenHint')),
    error,
    h('button', { type: 'submit', class: 'primary' }, t('signIn')))
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    alerts.unlockSound()
    error.textContent = ''
    try {
      await api('POST', '/console/api/session', { token: input.value })
      await start()
    } catch (failure) {
      error.textContent = failure instanceof ApiError && failure.status === 401 ? t('signInFailed') : app.failure(failure)
      input.focus()
    }
  })
  clear(root, h('header', { class: 'top' }, brand(), languageSwitch(() => renderSignIn(message))), h('main', { id: 'main', class: 'narrow' }, form))
  root.setAttribute('aria-busy', 'false')
  input.focus()
}

function renderShell(page: string): HTMLElement {
  const me = session().staff
  const badge = h('span', { class: 'badge', hidden: alerts.count === 0, 'aria-live': 'polite' }, alerts.count ? t('unread', { n: alerts.count }) : '')
  alerts.onCount = (count) => {
    badge.hidden = count === 0
    badge.textContent = t('unread', { n: count })
    document.title = `${count ? `(${count}) ` : ''}${t('appName')} · ${t('appSub')}`
  }
  const liveDot = h('span', { class: 'live', title: t('live') }, t('live'))
  alerts.onConnection = (up) => {
    liveDot.classList.toggle('down', !up)
    liveDot.title = up ? t('live') : t('liveOff')
  }
  const notify = h('button', { type: 'button', class: 'ghost', onclick: async () => {
    const permission = await alerts.enableNotifications()
    notify.textContent = permission === 'granted' ? t('alertsEnabled') : t('alertsBlocked')
  } }, 'Notification' in window && Notification.permission === 'granted' ? t('alertsEnabled') : t('alertsOn'))
  const signOut = h('button', { type: 'button', class: 'ghost', onclick: async () => {
    await api('POST', '/console/api/session/end').catch(() => undefined)
    setSession(undefined)
    renderSignIn()
  } }, t('signOut'))
  const main = h('main', { id: 'main', tabindex: '-1' })
  clear(root,
    h('header', { class: 'top' }, brand(),
      h('nav', { 'aria-label': t('nav') }, h('ul', null, navItems.map(([id, label]) => h('li', null,
        h('a', { href: `#/${id}`, 'aria-current': page === id || (id === 'inbox' && page === 'ticket') ? 'page' : null }, t(label), id === 'inbox' ? badge : null))))),
      h('div', { class: 'me' }, liveDot, h('span', { class: 'who' }, `${me.name}`), notify, languageSwitch(() => void route()), signOut)),
    main)
  return main
}

async function route(): Promise<void> {
  if (typeof cleanup === 'function') cleanup()
  cleanup = undefined
  const [path = '', query = ''] = location.hash.slice(2).split('?')
  const [name = 'inbox', ...params] = path.split('/')
  const page = routes[name] ?? inboxPage
  const main = renderShell(name)
  root.setAttribute('aria-busy', 'true')
  try {
    cleanup = await page(main, params.map(decodeURIComponent), app, new URLSearchParams(query))
  } catch (error) {
    clear(main, h('p', { class: 'error', role: 'alert' }, app.failure(error)))
  }
  root.setAttribute('aria-busy', 'false')
}

async function start(): Promise<void> {
  try {
    const current = await api<ConsoleSession>('GET', '/console/api/session')
    setCsrf(current.csrf)
    setSession(current)
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return renderSignIn(signedOutForIdle ? t('signedOutIdle') : undefined)
    return renderSignIn(app.failure(error))
  }
  signedOutForIdle = false
  alerts.start()
  if (!location.hash.startsWith('#/')) location.hash = '#/inbox'
  await route()
}

window.addEventListener('hashchange', () => { if (session()) void route() })
window.addEventListener('anju:signed-out', () => {
  if (!session()) return
  signedOutForIdle = true
  setSession(undefined)
  renderSignIn(t('signedOutIdle'))
})
document.addEventListener('click', () => alerts.unlockSound(), { once: true })
document.documentElement.lang = locale()
void start()
