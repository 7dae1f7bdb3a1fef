import { CHINA_OFFSET_MS, DAY_MS } from '../core/china-time'
import type { TicketPriority } from './ticket'

export interface TimeLimits {
  /** Hours an urgent ticket may stay unresolved. */
  urgentHours: number
  /** Working days (Monday to Friday, in China time) a normal ticket may take. */
  normalWorkingDays: number
}

export const TIME_LIMIT_DEFAULTS: TimeLimits = { urgentHours: 2, normalWorkingDays: 3 }

/**
 * When a ticket falls due. Working days are counted in China time and skip Saturdays and Sundays;
 * public holidays are not known here (a deployment with a holiday calendar would plug it in).
 * @example dueAt(new Date('2026-11-27T02:00:00Z'), 'normal', TIME_LIMIT_DEFAULTS) // Friday → Wednesday, same hour
 */
export function dueAt(created: Date, priority: TicketPriority, limits: TimeLimits): Date {
  if (priority === 'urgent') return new Date(created.getTime() + limits.urgentHours * 3_600_000)
  let local = created.getTime() + CHINA_OFFSET_MS
  let remaining = limits.normalWorkingDays
  while (remaining > 0) {
    local += DAY_MS
    const weekday = new Date(local).getUTCDay()
    if (weekday !== 0 && weekday !== 6) remaining -= 1
  }
  return new Date(local - CHINA_OFFSET_MS)
}
