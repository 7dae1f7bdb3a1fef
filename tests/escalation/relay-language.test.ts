import { describe, expect, it } from 'vitest'
import { deskFixture, TOKENS, useDeskWorkspace } from './desk-fixture'

const ws = useDeskWorkspace('2026-11-23T01:00:00.000Z')

describe('what reaches a resident later comes in their language', () => {
  it('a resident who wrote in English, without ever choosing a language, gets the answer and the return visit in English', async () => {
    const { say, api, telegram, assistant } = await (await deskFixture(ws.dir, ws.clock)).start()
    await say('701', '/settlement xingfu_jiayuan_sample')
    // A property complaint asks for the building and room first, in the language the resident wrote in.
    expect((await say('701', 'I want to complain: the stairwell light has been broken for a month')).replies[0]!.text).toContain('which building and room')
    const created = await say('701', 'Building 3, room 502')
    const id = /T\d{6}-\d{4}/.exec(created.replies[0]!.text)![0]
    expect(created.replies[0]!.text).toMatch(/^Passed to the community caseworkers/)
    expect((await assistant.residents.get('telegram:701'))!.locale).toBeUndefined()

    await api(TOKENS.li, 'POST', `/api/tickets/${id}/reply`, { text: '物业明天来修。' })
    await api(TOKENS.li, 'POST', `/api/tickets/${id}/status`, { status: 'resolved', note: '楼道灯已换新。' })
    const [relay, visit] = telegram.to('701').map((reply) => reply.text)
    expect(relay).toContain(`A community caseworker answered you (ticket ${id})`)
    expect(visit).toContain('Is your problem solved?')
    expect(telegram.to('701')[1]!.choices!.map((c) => c.label)).toEqual(['Yes, solved', 'Not yet'])
  })
})
