import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartConfiguration } from 'chart.js'
import { api } from './api'
import { clear, field, h } from './dom'
import { chinaToday, locale, t } from './i18n'
import type { Page } from './main'
import { settlementName, staffName, topicName } from './session'

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip)

interface Figures {
  total: number; byTopic: Record<string, number>; bySettlement: Record<string, number>
  medianHoursToFirstAnswer: number | null; medianHoursToResolution: number | null; overdueRate: number | null
  satisfaction: { answered: number; solvedRate: number | null }
}
interface AssessmentRow {
  month: string; id: string; tickets: number; returnVisits: number
  responseRate: number | null; onTimeRate: number | null; resolutionRate: number | null; satisfactionRate: number | null
}
interface Report extends Figures {
  monthly: (Figures & { month: string })[]
  assessment: { bySettlement: AssessmentRow[]; byCaseworker: AssessmentRow[] }
}

const RATES = ['responseRate', 'onTimeRate', 'resolutionRate', 'satisfactionRate'] as const

/** Colours that stay apart for most colour-blind readers (Okabe–Ito), led by the console's green. */
const PALETTE = ['#1f7a6b', '#e69f00', '#56b4e9', '#cc79a7', '#0072b2', '#d55e00', '#999999', '#f0e442', '#009e73', '#6b4c9a']

const percent = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 1000) / 10}%`)
const hours = (value: number | null) => (value === null ? '—' : t('hoursShort', { n: value }))

function monthsAgoStart(months: number): string {
  const [year, month] = chinaToday().split('-').map(Number) as [number, number]
  const date = new Date(Date.UTC(year, month - 1 - months, 1))
  return date.toISOString().slice(0, 10)
}

/** A chart with the same figures as a table beside it, for screen readers and for reading exact numbers. */
function chartBlock(title: string, months: string[], series: { label: string; values: (number | null)[] }[], kind: 'bar' | 'line' | 'bars', format: (v: number | null) => string, charts: Chart[], rowHead = t('month')): HTMLElement {
  const canvas = h('canvas', { role: 'img', 'aria-label': title })
  const table = h('table', null,
    h('caption', { class: 'sr' }, title),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, rowHead), series.map((s) => h('th', { scope: 'col' }, s.label)))),
    h('tbody', null, months.map((m, i) => h('tr', null, h('th', { scope: 'row' }, m), series.map((s) => h('td', null, format(s.values[i] ?? null)))))))
  const config: ChartConfiguration<'bar' | 'line', (number | null)[], string> = {
    // bars: side by side (rates that do not add up); bar: stacked counts.
    type: kind === 'line' ? 'line' : 'bar',
    data: { labels: months, datasets: series.map((s, i) => ({ label: s.label, data: s.values, backgroundColor: PALETTE[i % PALETTE.length], borderColor: PALETTE[i % PALETTE.length], spanGaps: true })) },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      scales: kind === 'bar' ? { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } : kind === 'bars' ? { y: { beginAtZero: true, max: 100 } } : { y: { beginAtZero: true } },
      plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
    },
  }
  charts.push(new Chart(canvas, config))
  return h('figure', { class: 'card chart' }, h('figcaption', null, h('h2', null, title)), h('div', { class: 'canvas-box' }, canvas),
    h('details', null, h('summary', null, t('asTable')), h('div', { class: 'table-box' }, table)))
}

const asPercent = (rate: number | null) => (rate === null ? null : Math.round(rate * 1000) / 10)
const percentValue = (v: number | null) => (v === null ? '—' : `${v}%`)

/** The assessment of one month: the four rates of each settlement, and of each caseworker, side by side. */
function assessmentBlocks(report: Report, month: string, charts: Chart[]): HTMLElement[] {
  const block = (title: string, rows: AssessmentRow[], name: (id: string) => string, rowHead: string) => {
    const inMonth = rows.filter((r) => r.month === month)
    return chartBlock(title, inMonth.map((r) => `${name(r.id)} (${t('ticketsCount', { n: r.tickets })})`),
      RATES.map((rate) => ({ label: t(rate), values: inMonth.map((r) => asPercent(r[rate])) })), 'bars', percentValue, charts, rowHead)
  }
  return [
    block(t('assessmentBySettlement', { month }), report.assessment.bySettlement, (id) => settlementName(id === 'unknown' ? undefined : id), t('settlementCol')),
    block(t('assessmentByCaseworker', { month }), report.assessment.byCaseworker, (id) => staffName(id === 'unassigned' ? undefined : id), t('caseworkerCol')),
  ]
}

export const reportsPage: Page = async (main, _params, _app, query) => {
  const from = query.get('from') ?? monthsAgoStart(5)
  const to = query.get('to') ?? chinaToday()
  const range = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`
  const report = await api<Report>('GET', `/api/reports/tickets?${range}`)
  const months = report.monthly.map((m) => m.month)
  const assessedMonth = months.includes(query.get('month') ?? '') ? query.get('month')! : months.at(-1)!
  const keysOf = (pick: (f: Figures) => Record<string, number>) => [...new Set(report.monthly.flatMap((m) => Object.keys(pick(m))))]
  const charts: Chart[] = []
  // Chart.js formats numbers in the page's language.
  Chart.defaults.locale = locale()
  const tile = (label: string, value: string, extra?: string) => h('div', { class: 'tile' }, h('span', { class: 'tile-label' }, label), h('strong', null, value), extra ? h('span', { class: 'muted' }, extra) : null)
  const form = h('form', { class: 'filters', onsubmit: (e: Event) => {
    e.preventDefault()
    const d = new FormData(e.target as HTMLFormElement)
    location.hash = `#/reports?from=${d.get('from')}&to=${d.get('to')}`
  } },
  field(t('from'), h('input', { type: 'date', name: 'from', value: from })),
  field(t('to'), h('input', { type: 'date', name: 'to', value: to })),
  h('button', { type: 'submit', class: 'secondary' }, t('show')),
  h('a', { class: 'button secondary', href: `/api/reports/tickets?${range}&format=csv`, download: `anju-tickets-${from}-${to}.csv` }, t('csv')))

  clear(main,
    h('div', { class: 'page-head' }, h('h1', null, t('reportsTitle')), h('p', { class: 'muted' }, t('reportsHint'))),
    form,
    h('div', { class: 'tiles' },
      tile(t('total'), String(report.total)),
      tile(t('firstAnswer'), hours(report.medianHoursToFirstAnswer)),
      tile(t('resolutionTime'), hours(report.medianHoursToResolution)),
      tile(t('overdueRate'), percent(report.overdueRate)),
      tile(t('satisfactionRate'), percent(report.satisfaction.solvedRate), t('answeredVisits', { n: report.satisfaction.answered }))),
    months.length === 0 ? h('p', { class: 'muted' }, t('noData')) : h('div', { class: 'charts' },
      chartBlock(t('byTopicMonth'), months, keysOf((f) => f.byTopic).map((k) => ({ label: topicName(k), values: report.monthly.map((m) => m.byTopic[k] ?? 0) })), 'bar', (v) => String(v ?? 0), charts),
      chartBlock(t('bySettlementMonth'), months, keysOf((f) => f.bySettlement).map((k) => ({ label: settlementName(k === 'unknown' ? undefined : k), values: report.monthly.map((m) => m.bySettlement[k] ?? 0) })), 'bar', (v) => String(v ?? 0), charts),
      chartBlock(t('timesMonth'), months, [
        { label: t('firstAnswer'), values: report.monthly.map((m) => m.medianHoursToFirstAnswer) },
        { label: t('resolutionTime'), values: report.monthly.map((m) => m.medianHoursToResolution) },
      ], 'line', hours, charts),
      chartBlock(t('overdueMonth'), months, [{ label: t('overdueRate'), values: report.monthly.map((m) => m.overdueRate === null ? null : m.overdueRate * 100) }], 'line', (v) => (v === null ? '—' : `${Math.round(v * 10) / 10}%`), charts),
      chartBlock(t('satisfactionMonth'), months, [{ label: t('satisfactionRate'), values: report.monthly.map((m) => m.satisfaction.solvedRate === null ? null : m.satisfaction.solvedRate * 100) }], 'bar', (v) => (v === null ? '—' : `${Math.round(v * 10) / 10}%`), charts)),
    months.length === 0 ? null : h('section', { class: 'assessment' },
      h('h2', null, t('assessmentTitle')), h('p', { class: 'muted' }, t('assessmentHint')),
      field(t('month'), h('select', { name: 'month', onchange: (e: Event) => {
        query.set('month', (e.target as HTMLSelectElement).value)
        location.hash = `#/reports?${query.toString()}`
      } }, months.map((m) => h('option', { value: m, selected: m === assessedMonth }, m)))),
      h('div', { class: 'charts' }, assessmentBlocks(report, assessedMonth, charts))))
  return () => charts.forEach((c) => c.destroy())
}
