import chineseDays from 'chinese-days'
import { CHINA_OFFSET_MS, DAY_MS } from '../core/china-time'
import type { WorkingDaysFile } from '../knowledge/desk-schema'

/**
 * China's working days: public holidays and adjusted working days (调休) from the `chinese-days` package, the
 * county's own days over them (`knowledge/working-days.yaml`), and Monday to Friday for a year neither knows.
 * Days are China-time dates (`2026-10-08`); instants are counted in China time (UTC+8).
 */
export class WorkingCalendar {
  readonly #daysOff: Set<string>
  readonly #workingDays: Set<string>
  readonly #knownYears = new Map<number, boolean>()

  constructor(local: WorkingDaysFile = { daysOff: [], workingDays: [] }) {
    this.#daysOff = new Set(local.daysOff.map((d) => d.date))
    this.#workingDays = new Set(local.workingDays.map((d) => d.date))
  }

  isWorkingDay(day: string): boolean {
    if (this.#daysOff.has(day)) return false
    if (this.#workingDays.has(day)) return true
    if (this.knowsYear(Number(day.slice(0, 4)))) return chineseDays.isWorkday(day)
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay()
    return weekday !== 0 && weekday !== 6
  }

  /**
   * Whether the national arrangement of a year is known: the package has it (New Year's Day is a statutory
   * holiday every year, so a year it knows names it), or the county file lists days of that year.
   */
  knowsYear(year: number): boolean {
    let known = this.#knownYears.get(year)
    if (known === undefined) {
      known = chineseDays.getDayDetail(`${year}-01-01`).name.includes('元旦')
      this.#knownYears.set(year, known)
    }
    return known
  }

  /** Whether the county file names days of that year (a year the package does not know may be listed there). */
  listsYear(year: number): boolean {
    const prefix = `${year}-`
    return [...this.#daysOff, ...this.#workingDays].some((day) => day.startsWith(prefix))
  }

  /**
   * The same China-time hour of day, `days` working days after `from`.
   * @example addWorkingDays(new Date("2026-09-30T02:00:00Z"), 3) // National Day week off: 8, 9, then Saturday 10 Oct (worked)
   */
  addWorkingDays(from: Date, days: number): Date {
    let local = from.getTime() + CHINA_OFFSET_MS
    let remaining = days
    while (remaining > 0) {
      local += DAY_MS
      if (this.isWorkingDay(new Date(local).toISOString().slice(0, 10))) remaining -= 1
    }
    return new Date(local - CHINA_OFFSET_MS)
  }
}
