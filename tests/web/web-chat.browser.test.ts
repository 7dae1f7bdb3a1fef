/// <reference lib="dom" />
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deskFixture, TestClock, TOKENS } from '../escalation/desk-fixture'
import { makeTempDir, removeDir, ROOT } from '../helpers'
import { launchChromium } from './browser'

// A Monday morning in China.
const MONDAY = '2026-11-23T01:00:00.000Z'
const XINGFU = 'xingfu_jiayuan_sample'
const TICKET = /T\d{6}-\d{4}/
// Screenshots go into the repository only when asked (UPDATE_SCREENSHOTS=1), so a test run leaves no change behind.
const SHOTS = process.env.UPDATE_SCREENSHOTS ? path.join(ROOT, 'docs', 'screenshots') : undefined

type Started = Awaited<ReturnType<Awaited<ReturnType<typeof deskFixture>>['start']>>

// Browser steps wait on a real server and page; a busy machine gets room, a passing run takes seconds.
describe('the web chat in a real browser', { timeout: 60_000 }, () => {
  let dir: string
  let desk: Started
  let base: string
  let browser: Browser
  /** The resident who uses the page in Chinese throughout the file. */
  let zhang: { context: BrowserContext; page: Page }
  const phone = { width: 390, height: 844 }

  beforeAll(async () => {
    if (SHOTS) await mkdir(SHOTS, { recursive: true })
    dir = await makeTempDir()
    desk = await (await deskFixture(dir, new TestClock(MONDAY))).start()
    base = await desk.app.listen({ port: 0, host: '127.0.0.1' })
    browser = await launchChromium()
    zhang = await open()
  }, 30_000)
  afterAll(async () => {
    await browser?.close()
    await desk?.app.close()
    await removeDir(dir)
  })

  async function open(viewport = phone, context?: BrowserContext) {
    context ??= await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'zh-CN' })
    const page = await context.newPage()
    // Ready once the history has loaded (the page then listens for pushes). Waited for from before the page loads:
    // on a busy machine the history can arrive before `goto` returns.
    const historyLoaded = page.waitForResponse((r) => r.url().endsWith('/api/web/history'))
    await page.goto(base)
    await historyLoaded
    return { context, page }
  }
  const bubbles = (page: Page) => page.locator('.bubble').allInnerTexts()
  const lastTicket = async (page: Page) => TICKET.exec((await bubbles(page)).join('\n'))?.[0]
  const staff = async (token: string, method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const response = await desk.api(token, method, url, payload)
    expect(response.statusCode, response.body).toBeLessThan(300)
    return response.json()
  }
  /** A description that says where (a repair asks for the building and room otherwise). */
  async function raiseDemand(page: Page, chip: string, settlement: string, description: string) {
    await page.getByRole('button', { name: chip }).click()
    await page.locator('.choice', { hasText: settlement }).click()
    // As a resident reads the question before answering: the page sends nothing while the last exchange is open.
    await page.locator('#send:not([disabled])').waitFor()
    await page.locator('#input').fill(description)
    await page.locator('#input').press('Enter')
    // The first English message may build the matcher's English structures: more than expect.poll's 1 s default on a
    // busy machine, and more than 10 s with the whole suite on two loaded cores (the test's own limit is 20 s).
    await expect.poll(() => lastTicket(page), { timeout: 18_000 }).toMatch(TICKET)
    return (await lastTicket(page))!
  }

  it('buttons raise a demand; the caseworker\'s answer appears without reloading; a reload keeps it all', async () => {
    const { page } = zhang
    const id = await raiseDemand(page, '找社区工作人员', '幸福家园', '楼道的灯坏了一个月了，晚上老人上下楼很危险（3栋2单元502）')
    // The button the resident pressed shows as what they said; its set can no longer be pressed.
    expect(await page.locator('.row.user .bubble').allInnerTexts()).toEqual(expect.arrayContaining(['找社区工作人员', expect.stringContaining('幸福家园')]))
    expect(await page.locator('.choice:not([disabled])').count()).toBe(0)
    // Sources are the document and clause, never the seed file's name.
    const sources = await page.locator('.sources').allInnerTexts()
    expect(sources.join('')).toContain('《')
    expect(sources.join('')).not.toMatch(/\.txt|task \d/)

    const ticket = await staff(TOKENS.admin, 'GET', `/api/tickets/${id}`)
    expect(ticket).toMatchObject({ channel: 'web', settlementId: XINGFU })
    await staff(TOKENS.li, 'POST', `/api/tickets/${id}/reply`, { text: '明天上午物业来换灯泡。' })
    await page.getByText('明天上午物业来换灯泡。').waitFor()
    expect(await page.locator('.row.bot.push .bubble').last().innerText()).toContain(`社区工作人员回复您（工单 ${id}）`)

    await page.reload()
    await page.getByText('明天上午物业来换灯泡。').waitFor()
    const after = (await bubbles(page)).join('\n')
    expect(after).toContain(`工单号：${id}`)
    expect(after).toContain('楼道的灯坏了一个月了')
    // Shown, so read: nothing is marked new after the reload.
    expect(await page.locator('.divider').count()).toBe(0)
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'web-chat-ticket-390.png') })
  })

  it('another browser with only the resident id can neither read nor act; the resident answers the return visit by button', async () => {
    const { page } = zhang
    const id = (await lastTicket(page))!
    const { channelUserId: residentId } = await staff(TOKENS.admin, 'GET', `/api/tickets/${id}`)
    await staff(TOKENS.li, 'POST', `/api/tickets/${id}/status`, { status: 'resolved', note: '楼道灯已换新。' })
    await page.getByText('请问问题解决了吗？').waitFor()

    const stranger = await browser.newContext()
    const http = stranger.request
    expect((await http.get(`${base}/api/web/history`)).status()).toBe(401)
    expect((await http.get(`${base}/api/web/history`, { headers: { authorization: `Bearer ${residentId}` } })).status()).toBe(401)
    expect((await http.get(`${base}/api/web/events`)).status()).toBe(401)
    expect((await http.get(`${base}/api/inbox?userId=${residentId}`)).status()).toBe(404)
    expect((await http.post(`${base}/api/web/chat`, { data: { text: '解决了' } })).status()).toBe(401)
    // The public chat API keeps its own residents: the same id there is someone else, with no tickets.
    const status = await (await http.post(`${base}/api/chat`, { data: { userId: residentId, text: '我的问题处理得怎么样了' } })).json()
    expect(status.replies[0].text).not.toContain(id)
    await http.post(`${base}/api/chat`, { data: { userId: residentId, text: '解决了' } })
    expect((await staff(TOKENS.admin, 'GET', `/api/tickets/${id}`)).status).toBe('resolved')
    // Their own page shows nothing of the resident's.
    const theirs = await open(phone, stranger)
    expect((await bubbles(theirs.page)).join('\n')).not.toContain(id)
    await stranger.close()

    // The resident's own answer, by button.
    await page.locator('.choice', { hasText: '还没解决' }).click()
    await page.getByText(`工单 ${id} 已重新交给工作人员处理`).waitFor()
    expect((await staff(TOKENS.admin, 'GET', `/api/tickets/${id}`)).status).toBe('reopened')
  })

  it('a notice reaches an open page at once, and a closed one when it opens again (read only once shown)', async () => {
    const neighbour = await open()
    await neighbour.page.locator('#input').fill('最近有什么通知')
    await neighbour.page.locator('#input').press('Enter')
    await neighbour.page.locator('.choice', { hasText: '幸福家园' }).click()
    await neighbour.page.getByText('已记下：您住在').waitFor()
    await neighbour.page.close()

    const preview = await staff(TOKENS.wang, 'POST', '/api/notices/preview', {
      title: { 'zh-CN': '预览' }, body: { 'zh-CN': '预览' }, audience: { settlements: [XINGFU] }, expiresAt: '2026-12-31T00:00:00+08:00',
    })
    expect(preview.byChannel.web).toBe(2)
    expect(preview.skipped.no_channel).toBe(0)
    const notice = await staff(TOKENS.wang, 'POST', '/api/notices', {
      title: { 'zh-CN': '周六招聘会', en: 'Job fair on Saturday' },
      body: { 'zh-CN': '周六上午九点在社区广场，二十家企业招工。', en: 'Saturday 9:00 on the square, twenty employers.' },
      audience: { settlements: [XINGFU] },
      expiresAt: '2026-12-31T00:00:00+08:00',
    })
    await zhang.page.getByText('周六招聘会').waitFor()
    await desk.assistant.broadcast!.idle()
    expect((await staff(TOKENS.wang, 'GET', `/api/notices/${notice.id}`)).progress).toMatchObject({ sent: 2, failed: 0 })

    // Waiting for the closed page: stored, unread, and reading the history does not change that.
    const unread = async () => {
      const history = await (await neighbour.context.request.get(`${base}/api/web/history`)).json()
      return history.entries.filter((e: { kind: string; seq: number }) => e.kind === 'push' && e.seq > history.readUpTo).map((e: { text: string }) => e.text)
    }
    expect(await unread()).toEqual([expect.stringContaining('周六招聘会')])
    expect(await unread()).toHaveLength(1)
    const back = await open(phone, neighbour.context)
    await back.page.getByText('周六招聘会').waitFor()
    expect(await back.page.locator('.divider').innerText()).toBe('新消息')
    await expect.poll(unread).toEqual([])
    await neighbour.context.close()
  })

  it('an English resident gets the caseworker\'s answer, the due time and the return visit in English', async () => {
    const { context, page } = await open()
    await page.getByRole('button', { name: 'Switch to English' }).click()
    await page.getByText('I\'ll reply in English').waitFor()
    const id = await raiseDemand(page, 'Talk to a caseworker', 'Xingfu', 'The stairwell light has been broken for a month (Building 3, room 502)')
    expect((await bubbles(page)).join('\n')).toMatch(/by [A-Z][a-z]{2} \d{1,2}, 2026/)
    await staff(TOKENS.li, 'POST', `/api/tickets/${id}/reply`, { text: '物业明天来修。' })
    await page.getByText(`A community caseworker answered you (ticket ${id})`).waitFor()
    await staff(TOKENS.li, 'POST', `/api/tickets/${id}/status`, { status: 'resolved', note: '楼道灯已修好。' })
    await page.locator('.choice', { hasText: 'Yes, solved' }).click()
    await page.getByText(`Ticket ${id} is closed`).waitFor()
    expect((await bubbles(page)).join('\n')).not.toMatch(/社区工作人员回复您|工作人员已经办结/)
    await context.close()
  })

  it('at 320 and 390 px: nothing overflows, the title fits, the chips scroll visibly, long answers show their start', async () => {
    for (const width of [320, 390]) {
      const { context, page } = await open({ width, height: width === 320 ? 568 : 844 })
      await page.locator('#input').fill('低保怎么申请？要什么材料？')
      await page.locator('#input').press('Enter')
      await page.getByText('政策依据：《').last().waitFor()
      const layout = await page.evaluate(() => {
        const answers = document.querySelectorAll('.row.bot')
        const answer = answers.item(answers.length - 1).getBoundingClientRect()
        const log = document.getElementById('messages')!.getBoundingClientRect()
        const title = document.getElementById('title')!
        const chips = document.getElementById('chips')!
        return {
          overflow: document.documentElement.scrollWidth - window.innerWidth,
          titleCut: title.scrollWidth > title.clientWidth,
          answerTopInView: answer.top >= log.top - 1 && answer.top < log.bottom,
          chipsScroll: chips.scrollWidth > chips.clientWidth,
          moreShown: document.getElementById('chipsWrap')!.classList.contains('more-right'),
        }
      })
      expect(layout).toEqual({ overflow: 0, titleCut: false, answerTopInView: true, chipsScroll: true, moreShown: true })
      if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `web-chat-${width}.png`) })
      // The last chip is reachable by scrolling.
      await page.locator('.chip').last().scrollIntoViewIfNeeded()
      await expect.poll(() => page.locator('#chipsWrap').getAttribute('class')).toContain('more-left')

      await page.getByRole('button', { name: 'Switch to English' }).click()
      await page.getByRole('button', { name: 'Larger text' }).click()
      await page.getByText('I\'ll reply in English').waitFor()
      const english = await page.evaluate(() => ({
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        titleCut: document.getElementById('title')!.scrollWidth > document.getElementById('title')!.clientWidth,
        fontSize: getComputedStyle(document.documentElement).fontSize,
      }))
      expect(english).toEqual({ overflow: 0, titleCut: false, fontSize: '22px' })
      if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `web-chat-${width}-en-large.png`) })
      await context.close()
    }
  })

  it('shows a counter near the limit and refuses text that is too long, saying so, instead of cutting it', async () => {
    const { page } = zhang
    const sent = page.locator('.row.user').count()
    await page.locator('#input').fill('低'.repeat(1850))
    expect(await page.locator('#counter').innerText()).toBe('1850/2000')
    await page.locator('#input').fill('低'.repeat(3000))
    await page.locator('#send').click()
    expect(await page.locator('#notice').innerText()).toContain('3000')
    expect(await page.locator('#input').inputValue()).toHaveLength(3000)
    expect(await page.locator('.row.user').count()).toBe(await sent)
    expect(await page.locator('#counter').getAttribute('class')).toContain('over')
    await page.locator('#input').fill('')
    expect(await page.locator('#notice').isHidden()).toBe(true)
  })
})
