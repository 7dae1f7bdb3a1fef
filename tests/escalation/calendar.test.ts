import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { TimeLimits } from '../../src/escalation/time-limits'
import { WorkingCalendar } from '../../src/escalation/working-calendar'
import { loadKnowledgeBase } from '../../src/knowledge/loader'
import { ROOT } from '../helpers'

const kb = await loadKnowledgeBase({ knowledgeDir: path.join(ROOT, 'knowledge'), intentsDir: path.join(ROOT, 'intents') })
const limits = new TimeLimits(kb.timeLimits, new WorkingCalendar(kb.workingDays))
const due = (created: string, category: string, text: string, priority: 'urgent' | 'normal' = 'normal') =>
  limits.resolutionDue(new Date(created), limits.limitFor({ category, priority, kind: limits.kindOf(category, text) })).toISOString()

describe('China working calendar', () => {
  it('knows the National Day week off and the Saturday worked in lieu (2026)', () => {
    const calendar = new WorkingCalendar()
    expect(['2026-10-01', '2026-10-05', '2026-10-07'].map((d) => calendar.isWorkingDay(d))).toEqual([false, false, false])
    expect(calendar.isWorkingDay('2026-10-10')).toBe(true) // a Saturday, worked (调休)
    expect(calendar.isWorkingDay('2026-09-20')).toBe(true) // a Sunday, worked
    expect(calendar.isWorkingDay('2026-10-11')).toBe(false)
    expect(calendar.knowsYear(2026)).toBe(true)
  })

  it('counts working days in China time across the holiday week', () => {
    const calendar = new WorkingCalendar()
    // 30 Sept, 10:00 in China: 8, 9 Oct, then the Saturday worked.
    expect(calendar.addWorkingDays(new Date('2026-09-30T02:00:00Z'), 3).toISOString()).toBe('2026-10-10T02:00:00.000Z')
    // 23:30 on 30 Sept in China is still 30 Sept, though UTC says 15:30: the same result at 23:30.
    expect(calendar.addWorkingDays(new Date('2026-09-30T15:30:00Z'), 3).toISOString()).toBe('2026-10-10T15:30:00.000Z')
    // Raised on a holiday: the first working day after it counts as one.
    expect(calendar.addWorkingDays(new Date('2026-10-03T01:00:00Z'), 1).toISOString()).toBe('2026-10-08T01:00:00.000Z')
  })

  it("a county's own days win over the national calendar; a year nobody knows counts Monday to Friday", () => {
    const calendar = new WorkingCalendar({ daysOff: [{ date: '2026-10-08', name: '县庆' }], workingDays: [{ date: '2026-10-11', name: '补班' }] })
    expect(calendar.isWorkingDay('2026-10-08')).toBe(false)
    expect(calendar.isWorkingDay('2026-10-11')).toBe(true)
    expect(calendar.addWorkingDays(new Date('2026-09-30T02:00:00Z'), 3).toISOString()).toBe('2026-10-11T02:00:00.000Z')
    expect(calendar.knowsYear(2031)).toBe(false)
    expect(calendar.isWorkingDay('2031-01-06')).toBe(true)
    expect(calendar.isWorkingDay('2031-01-04')).toBe(false)
  })
})

describe('time limits per kind, as data', () => {
  it('tells a consultation, a repair and a complaint apart, by words or by topic', () => {
    expect(limits.kindOf('dibao_eligibility', '想问问低保今年的标准')).toBe('consultation')
    expect(limits.kindOf('other', '楼道的灯坏了一个月')).toBe('repair')
    expect(limits.kindOf('housing_services', '物业的事想找人说说')).toBe('repair')
    expect(limits.kindOf('housing_services', '投诉物业乱收费')).toBe('complaint')
    // Said as a complaint, but what is asked for is a repair.
    expect(limits.kindOf('housing_services', '我要投诉楼道灯坏了一个月没人修')).toBe('repair')
  })

  it('gives 3, 5 and 10 working days from 30 September 2026, across National Day', () => {
    const created = '2026-09-30T02:00:00.000Z'
    expect(due(created, 'school_enrolment', '孩子转学要什么材料')).toBe('2026-10-10T02:00:00.000Z')
    expect(due(created, 'housing_services', '卫生间漏水')).toBe('2026-10-13T02:00:00.000Z')
    expect(due(created, 'other', '投诉社区干部态度差')).toBe('2026-10-20T02:00:00.000Z')
  })

  it('urgent: first contact within 2 hours; return visit within one working day of resolution', () => {
    expect(limits.firstContactDue(new Date('2026-10-02T12:00:00Z')).toISOString()).toBe('2026-10-02T14:00:00.000Z')
    // Resolved on Friday 9 Oct: the next working day is the Saturday worked in lieu.
    expect(limits.returnVisitDue(new Date('2026-10-09T08:00:00Z')).toISOString()).toBe('2026-10-10T08:00:00.000Z')
  })
})
