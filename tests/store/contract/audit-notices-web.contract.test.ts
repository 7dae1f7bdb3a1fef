import { describe, expect, it } from 'vitest'
import type { Notice } from '../../../src/broadcast/notice'
import type { AuditEntry } from '../../../src/store/types'
import { having, useBackends } from './backends'

const backends = useBackends()

const entry = (at: string, action: string): AuditEntry => ({ at, staffId: 'li_xiaofang', action, target: 'T261123-0001', from: '127.0.0.1' })
const notice = (id: string, createdAt: string): Notice => ({
  id, title: { 'zh-CN': `通知 ${id}` }, body: { 'zh-CN': '正文', en: 'Body' }, audience: { settlements: ['xingfu_jiayuan_sample'], tags: ['parents'] },
  sendAt: createdAt, expiresAt: '2026-12-30T00:00:00.000Z', author: 'li_xiaofang', status: 'scheduled', createdAt, updatedAt: createdAt,
})

describe.each(having(backends, 'audit'))('audit log on $name', (backend) => {
  it('keeps every entry, listed in time order within a range', async () => {
    const { audit } = await backend.open()
    await audit!.record(entry('2026-11-23T23:59:00.000Z', 'ticket.list'))
    await audit!.record(entry('2026-11-24T00:01:00.000Z', 'ticket.reply'))
    await audit!.record(entry('2026-11-25T08:00:00.000Z', 'notice.create'))
    const restarted = (await backend.open()).audit!
    expect((await restarted.list()).map((e) => e.action)).toEqual(['ticket.list', 'ticket.reply', 'notice.create'])
    expect(await restarted.list({ from: new Date('2026-11-24T00:00:00.000Z'), to: new Date('2026-11-25T00:00:00.000Z') })).toEqual([entry('2026-11-24T00:01:00.000Z', 'ticket.reply')])
  })
})

describe.each(having(backends, 'notices'))('notices on $name', (backend) => {
  it('lists newest first and applies patches', async () => {
    const { notices } = await backend.open()
    await notices!.add(notice('N000000000001', '2026-11-23T08:00:00.000Z'))
    await notices!.add(notice('N000000000002', '2026-11-24T08:00:00.000Z'))
    expect(await notices!.update('N000000000001', { status: 'sending', plannedAt: '2026-11-23T09:00:00.000Z' })).toMatchObject({ status: 'sending', plannedAt: '2026-11-23T09:00:00.000Z' })
    const restarted = (await backend.open()).notices!
    expect((await restarted.list()).map((n) => n.id)).toEqual(['N000000000002', 'N000000000001'])
    expect(await restarted.get('N000000000001')).toEqual({ ...notice('N000000000001', '2026-11-23T08:00:00.000Z'), status: 'sending', plannedAt: '2026-11-23T09:00:00.000Z' })
    expect(await restarted.get('N000000000009')).toBeUndefined()
    await expect(restarted.update('N000000000009', { status: 'done' })).rejects.toThrow()
  })
})

describe.each(having(backends, 'webHistory'))('web identities and histories on $name', (backend) => {
  it('finds a resident by token hash', async () => {
    const { webIdentities } = await backend.open()
    await webIdentities!.add('a'.repeat(64), { residentId: 'w_1', createdAt: '2026-11-23T08:00:00.000Z' })
    expect(await (await backend.open()).webIdentities!.get('a'.repeat(64))).toEqual({ residentId: 'w_1', createdAt: '2026-11-23T08:00:00.000Z' })
    expect(await webIdentities!.get('b'.repeat(64))).toBeUndefined()
  })

  it('numbers entries in order and marks them read without moving back', async () => {
    const { webHistory } = await backend.open()
    const at = new Date('2026-11-23T08:00:00.000Z')
    expect(await webHistory!.read('w_2')).toEqual({ entries: [], readUpTo: 0 })
    const first = await webHistory!.append('w_2', [{ from: 'resident', kind: 'message', text: '你好' }, { from: 'assistant', kind: 'reply', text: '您好', choices: [{ label: '低保', value: 'dibao' }] }], at)
    expect(first.map((e) => e.seq)).toEqual([1, 2])
    const pushed = await webHistory!.append('w_2', [{ from: 'assistant', kind: 'push', text: '通知' }], at)
    expect(pushed).toEqual([{ from: 'assistant', kind: 'push', text: '通知', seq: 3, at: at.toISOString() }])
    expect(await webHistory!.markRead('w_2', 2)).toBe(2)
    expect(await webHistory!.markRead('w_2', 1)).toBe(2)
    expect(await webHistory!.markRead('w_2', 99)).toBe(3)

    const restarted = (await backend.open()).webHistory!
    expect(await restarted.read('w_2')).toEqual({ entries: [...first, ...pushed], readUpTo: 3 })
    expect(await restarted.read('w_3')).toEqual({ entries: [], readUpTo: 0 })
  })

  it('keeps the outbox id a push delivered', async () => {
    const { webHistory } = await backend.open()
    const [pushed] = await webHistory!.append('w_4', [{ from: 'assistant', kind: 'push', text: '工作人员回复', deliveryId: 'T261123-0002:reply:1' }], new Date('2026-11-23T08:00:00.000Z'))
    expect((await (await backend.open()).webHistory!.read('w_4')).entries).toEqual([pushed])
    expect(pushed!.deliveryId).toBe('T261123-0002:reply:1')
    // What the web channel asks before a send, so that a delivery retried after a crash is not shown twice.
    expect(await webHistory!.hasDelivery('w_4', 'T261123-0002:reply:1')).toBe(true)
    expect(await webHistory!.hasDelivery('w_4', 'T261123-0002:reply:2')).toBe(false)
    expect(await webHistory!.hasDelivery('w_5', 'T261123-0002:reply:1')).toBe(false)
  })
})
