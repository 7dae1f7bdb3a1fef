/** China keeps one offset all year (UTC+8, no daylight saving), so local days are a fixed shift of UTC. */
export const CHINA_OFFSET_MS = 8 * 3_600_000
export const DAY_MS = 86_400_000

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const ZONE = 'Asia/Shanghai'
const STAFF_CLOCK = new Intl.DateTimeFormat('zh-CN', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })

/** An instant as a person reads it in China time, in their language: `2026年11月24日 17:00`, `Nov 24, 2026, 5:00 PM`. */
export const chinaTimeText = (at: Date | string, locale: string) =>
  new Intl.DateTimeFormat(locale, { timeZone: ZONE, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(at))

/** An instant as staff read it in their chats, as on a wall clock in China: `2026/11/24 17:00`. */
export const staffClockText = (at: Date | string) => STAFF_CLOCK.format(new Date(at))

/** The China-time day of an instant: `2026-11-30T17:00:00Z` → `2026-12-01`. */
export const chinaDay = (at: Date | string) => new Date(new Date(at).getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10)

/** The China-time month of an instant: `2026-11-30T17:00:00Z` → `2026-12`. */
export const chinaMonth = (at: Date | string) => chinaDay(at).slice(0, 7)

/** Midnight at the start of a China-time day, as an instant. */
export const chinaMidnight = (day: string) => new Date(Date.parse(`${day}T00:00:00+08:00`))

/**
 * A query's `from` and `to` as instants. A plain date is a day in China time, and `to` includes its whole day:
 * `from=2026-12-01&to=2026-12-01` is that one day. A date with a time is taken as it is (`to` exclusive).
 */
export function chinaRange(from?: string, to?: string): { from?: Date; to?: Date } {
  return {
    from: from === undefined ? undefined : DATE_ONLY.test(from) ? chinaMidnight(from) : new Date(from),
    to: to === undefined ? undefined : DATE_ONLY.test(to) ? new Date(chinaMidnight(to).getTime() + DAY_MS) : new Date(to),
  }
}
