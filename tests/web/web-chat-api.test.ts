import { readFile } from 'node:fs/promises'
import { parse as parseJs } from 'acorn'
import type { InjectOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LowdbWebHistoryStore } from '../../src/store/lowdb/web-stores'
import { deskFixture, TestClock, TOKENS } from '../escalation/desk-fixture'
import { makeTempDir, removeDir, ROOT } from '../helpers'

const MONDAY = '2026-11-23T01:00:00.000Z'
type Started = Awaited<ReturnType<Awaited<ReturnType<typeof deskFixture>>['start']>>

describe('the web chat API: identity, history, reading, pushes', () => {
  let dir: string
  let desk: Started
  const inject = (options: InjectOptions) => desk.app.inject(options)

  beforeAll(async () => {
    dir = await makeTempDir()
    desk = await (await deskFixture(dir, new TestClock(MONDAY))).start()
  })
  afterAll(async () => {
    await desk.app.close()
    await removeDir(dir)
  })

  async function newResident() {
    const session = await inject({ method: 'POST', url: '/api/web/session' })
    expect(session.statusCode).toBe(201)
    const cookie = session.cookies[0]!
    return { cookie, headers: { cookie: `${cookie.name}=${cookie.value}` } }
  }
  /** A web resident of 幸福家园 who has raised a property complaint, and said where when asked: their cookie and the ticket's id. */
  async function residentWithTicket(demand: string, where: string) {
    const { headers } = await newResident()
    const say = async (text: string) => (await inject({ method: 'POST', url: '/api/web/chat', headers, payload: { text } })).json()
    await say('/settlement xingfu_jiayuan_sample')
    expect((await say(demand)).entries.at(-1).text).toContain('几栋几单元几号')
    const { entries } = await say(where)
    return { headers, id: /T\d{6}-\d{4}/.exec(entries.at(-1).text)![0] }
  }
  const history = async (headers: Record<string, string>) => (await inject({ method: 'GET', url: '/api/web/history', headers })).json()

  it('issues a long random token in an HttpOnly, SameSite=Strict cookie, and knows it again', async () => {
    const { cookie, headers } = await newResident()
    expect(cookie).toMatchObject({ name: 'anju_web', httpOnly: true, sameSite: 'Strict', path: '/' })
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const again = await inject({ method: 'POST', url: '/api/web/session', headers })
    expect(again.statusCode).toBe(200)
    expect(again.json()).toEqual({ resident: 'known' })
    // A token the server never issued is no one: a new resident is made instead.
    const forged = { cookie: `anju_web=${'A'.repeat(43)}` }
    expect((await inject({ method: 'GET', url: '/api/web/history', headers: forged })).statusCode).toBe(401)
    expect((await inject({ method: 'POST', url: '/api/web/session', headers: forged })).statusCode).toBe(201)
  })

  it('refuses without a token, and from another site\'s page', async () => {
    const { headers } = await newResident()
    const anonymous = await inject({ method: 'POST', url: '/api/web/chat', payload: { text: '你好' } })
    expect(anonymous.statusCode).toBe(401)
    expect(anonymous.json()).toMatchObject({ code: 'ANJU_ERR_WEB_IDENTITY' })
    const crossSite = await inject({ method: 'POST', url: '/api/web/chat', headers: { ...headers, origin: 'https://evil.example' }, payload: { text: '解决了' } })
    expect(crossSite.statusCode).toBe(403)
    const sandboxed = await inject({ method: 'POST', url: '/api/web/chat', headers: { ...headers, origin: 'null' }, payload: { text: '解决了' } })
    expect(sandboxed.statusCode).toBe(403)
    expect((await history(headers)).entries).toEqual([])
  })

  it('keeps what a button said as its label and handles its value; bad input is a 400 that stores nothing', async () => {
    const { headers } = await newResident()
    const pressed = await inject({ method: 'POST', url: '/api/web/chat', headers, payload: { text: '孩子上学和入园', button: { value: '/topic school_enrolment' } } })
    expect(pressed.statusCode).toBe(200)
    const body = pressed.json()
    expect(body.intent).toBe('school_enrolment')
    expect(body.entries[0]).toMatchObject({ from: 'resident', kind: 'message', text: '孩子上学和入园' })
    expect(body.sources[0]).toMatchObject({ file: expect.stringMatching(/\.txt$/), text: expect.stringMatching(/^《.+》第\d+/) })
    for (const payload of [{ text: '低'.repeat(2001) }, {}, { text: '   ' }, { button: { value: '' } }, { text: '你好', locale: 'fr' }]) {
      const refused = await inject({ method: 'POST', url: '/api/web/chat', headers, payload })
      expect(refused.statusCode, JSON.stringify(payload)).toBe(400)
      expect(refused.json().message.length).toBeGreaterThan(10)
    }
    expect((await history(headers)).entries).toHaveLength(body.entries.length)
  })

  it('still takes a choice by its number, as on channels without buttons', async () => {
    const { headers } = await newResident()
    const say = async (text: string) => (await inject({ method: 'POST', url: '/api/web/chat', headers, payload: { text } })).json()
    expect((await say('/lang')).entries.at(-1).choices.map((c: { label: string }) => c.label)).toEqual(['中文', 'English'])
    expect(await say('2')).toMatchObject({ locale: 'en', entries: [{ text: '2' }, { text: expect.stringContaining('English') }] })
  })

  it('reading the history changes nothing; the read mark is the page\'s to move, and only forward', async () => {
    const { headers, id } = await residentWithTicket('我要投诉小区门口的垃圾一周没人清理', '跳过')
    await desk.api(TOKENS.li, 'POST', `/api/tickets/${id}/reply`, { text: '明天一早清走。' })
    const before = await history(headers)
    expect(await history(headers)).toEqual(before)
    const push = before.entries.at(-1)
    expect(push).toMatchObject({ kind: 'push', text: expect.stringContaining('明天一早清走。') })
    expect(before.readUpTo).toBeLessThan(push.seq)
    const read = (upTo: number) => inject({ method: 'POST', url: '/api/web/read', headers, payload: { upTo } })
    expect((await read(push.seq + 100)).json()).toEqual({ readUpTo: push.seq })
    expect((await read(1)).json()).toEqual({ readUpTo: push.seq })
    expect((await read(-1)).statusCode).toBe(400)
  })

  it('a stream replays what was pushed after the browser\'s Last-Event-ID, then what comes next', async () => {
    const { headers, id } = await residentWithTicket('我要投诉电梯坏了三天没人修', '5栋2单元301')
    await desk.api(TOKENS.li, 'POST', `/api/tickets/${id}/reply`, { text: '第一次答复' })
    const first = (await history(headers)).entries.at(-1)
    await desk.api(TOKENS.li, 'POST', `/api/tickets/${id}/reply`, { text: '第二次答复' })

    const base = await desk.app.listen({ port: 0, host: '127.0.0.1' })
    const abort = new AbortController()
    const response = await fetch(`${base}/api/web/events`, { headers: { ...headers, 'last-event-id': String(first.seq) }, signal: abort.signal })
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    const reader = response.body!.getReader()
    let text = ''
    const until = async (what: string) => {
      while (!text.includes(what)) text += new TextDecoder().decode((await reader.read()).value)
    }
    await until('第二次答复')
    expect(text).not.toContain('第一次答复')
    await desk.api(TOKENS.li, 'POST', `/api/tickets/${id}/reply`, { text: '第三次答复' })
    await until('第三次答复')
    expect(text).toMatch(/id: \d+\nevent: entry\ndata: \{/)
    abort.abort()
  })

  it('where answers cannot be sent later (the public chat API), the assistant promises nothing it cannot keep', async () => {
    const chat = async (text: string) => (await inject({ method: 'POST', url: '/api/chat', payload: { userId: 'api-client-1', text } })).json().replies.map((r: { text: string }) => r.text).join('\n')
    await chat('/settlement xingfu_jiayuan_sample')
    const created = await chat('我要投诉楼道里堆满了杂物没人管')
    expect(created).toContain('这里收不到工作人员的回复')
    expect(created).not.toContain('在这里回复您')
    const tag = await chat('我想收招聘信息')
    expect(tag).toContain('这里收不到推送的通知')
    expect(tag).not.toContain('会发给您')
  })
})

describe('the web page works in WeChat\'s in-app browser', () => {
  it('its script is ES5, with no API older engines lack, and the text box never cuts what is pasted', async () => {
    const script = await readFile(`${ROOT}/adapters/http/public/chat.js`, 'utf8')
    expect(() => parseJs(script, { ecmaVersion: 5 })).not.toThrow()
    for (const modern of ['fetch(', 'AbortController', 'Array.from', 'Promise', '.remove()', 'randomUUID', 'closest(']) expect(script, modern).not.toContain(modern)
    const page = await readFile(`${ROOT}/adapters/http/public/index.html`, 'utf8')
    expect(page).not.toContain('maxlength')
    // No CDN: everything the page loads is its own.
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//)
  })
})

describe('web history store', () => {
  let dir: string
  beforeAll(async () => { dir = await makeTempDir() })
  afterAll(async () => { await removeDir(dir) })

  it('keeps the newest entries and every unread pushed one, on disk, and refuses ids that are not ids', async () => {
    const at = new Date(MONDAY)
    const store = new LowdbWebHistoryStore(dir, { maxEntries: 5 })
    await store.append('w1', [{ from: 'assistant', kind: 'push', text: 'notice' }], at)
    for (let n = 0; n < 8; n += 1) await store.append('w1', [{ from: 'resident', kind: 'message', text: `m${n}` }], at)
    const reopened = await new LowdbWebHistoryStore(dir, { maxEntries: 5 }).read('w1')
    expect(reopened.entries.map((e) => e.text)).toEqual(['notice', 'm4', 'm5', 'm6', 'm7'])
    expect(reopened.entries.map((e) => e.seq)).toEqual([1, 6, 7, 8, 9])
    await expect(store.read('../../etc')).rejects.toThrow(/not a web resident id/)
  })
})
