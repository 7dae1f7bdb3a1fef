import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { deskFixture, TestClock } from '../escalation/desk-fixture'
import { makeTempDir, removeDir } from '../helpers'
import { startMockWechat, waitFor, type MockWechat } from './mock-wechat'

describe('caseworkers in their WeChat chat', () => {
  let dir: string
  let wechat: MockWechat | undefined
  beforeEach(async () => { dir = await makeTempDir() })
  afterEach(async () => {
    await wechat?.stop()
    await removeDir(dir)
  })

  it('are notified with the commands, take the ticket and answer; the resident hears on WeChat', async () => {
    const clock = new TestClock('2026-11-23T01:00:00.000Z')
    const { assistant } = await (await deskFixture(dir, clock, {}, { li_xiaofang: 'wxid_li_test' })).start()
    const desk = assistant.desk!
    wechat = await startMockWechat(assistant, { staffChat: desk.staffChat })
    wechat.login()
    desk.outbox.register('wechat', wechat.adapter.sender)

    const caseworker = wechat.mocker.createContact({ id: 'wxid_li_test', name: '李晓芳' })
    const caseworkerInbox: string[] = []
    caseworker.on('message', (m) => { if (m.payload.talkerId === wechat!.botUser.id) caseworkerInbox.push(m.payload.text ?? '') })
    const resident = wechat.resident('刘大爷')

    resident.say('/settlement xingfu_jiayuan_sample')
    await waitFor('the settlement saved', () => resident.chat.inbox.some((t) => t.includes('已记下')))
    resident.say('我要投诉楼上天天往下扔垃圾，砸到人怎么办，我住4栋201')
    await waitFor('the ticket', async () => (await desk.service.ofResident(`wechat:${resident.contact.id}`)).length === 1)
    const [ticket] = await desk.service.ofResident(`wechat:${resident.contact.id}`)
    await desk.outbox.drain()
    await waitFor('the notification', () => caseworkerInbox.some((t) => t.includes(ticket!.id)))
    expect(caseworkerInbox.find((t) => t.includes(ticket!.id))).toContain(`/take ${ticket!.id}`)

    caseworker.say(`/take ${ticket!.id}`).to(wechat.botUser)
    await waitFor('taken', () => caseworkerInbox.some((t) => t.includes('已接单')))
    caseworker.say(`/reply ${ticket!.id} 已经贴了告示，明天上门提醒。`).to(wechat.botUser)
    await waitFor('the answer sent', () => caseworkerInbox.some((t) => t.includes('正在发给居民')))
    await desk.outbox.drain()
    await waitFor('the resident hears', () => resident.chat.inbox.some((t) => t.includes('已经贴了告示')))
    expect(await desk.tickets.get(ticket!.id)).toMatchObject({ status: 'in_progress', assignee: 'li_xiaofang' })
  })
})
