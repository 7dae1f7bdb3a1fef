/// <reference lib="dom" />
// The staff console end to end, in Debian's chromium: sign-in, the live inbox, a ticket worked to its return
// visit, a notice watched to the end, the unanswered questions, and settlements kept apart. One browser per file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchBrowser, screenshot, signIn, startConsoleServer, TOKENS } from './console-fixture'

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
const DESKTOP = { viewport: { width: 1280, height: 860 } }

let server: Awaited<ReturnType<typeof startConsoleServer>>
let browser: Browser
let anleTicket: string
let xingfuTicket: string

const ticketId = (replies: string[]) => /T\d{6}-\d{4}/.exec(replies.join('\n'))![0]

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startConsoleServer(), launchBrowser()])
  // A ticket in each settlement before anyone signs in, and questions Anju could not answer in both.
  await server.chat('anle-1', '/settlement anle_xinju_sample')
  anleTicket = ticketId(await server.chat('anle-1', '我要投诉小区垃圾好几天没人清运了，我住8栋'))
  await server.chat('anle-1', '村口的石狮子是哪一年立的')
  await server.chat('xingfu-1', '/settlement xingfu_jiayuan_sample')
  xingfuTicket = ticketId(await server.chat('xingfu-1', '我要反映情况：2栋单元门的门禁坏了进不去'))
  await server.chat('xingfu-1', '广场舞音响晚上几点必须关')
  await server.chat('xingfu-2', '/settlement xingfu_jiayuan_sample')
  await server.chat('xingfu-2', '广场舞的音响晚上几点要关掉')
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

async function context(options: typeof DESKTOP | typeof PHONE = DESKTOP): Promise<BrowserContext> {
  return browser.newContext({ ...options, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
}

describe('a caseworker in the console', () => {
  let ctx: BrowserContext
  let page: Page
  beforeAll(async () => {
    ctx = await context()
    page = await ctx.newPage()
  })
  afterAll(async () => ctx.close())

  it('refuses a wrong token, signs in with the right one into a strict httpOnly cookie, and sees only their settlement', async () => {
    await page.goto(`${server.base}/console`)
    await page.getByLabel('工作人员令牌').fill('not-a-token')
    await page.getByRole('button', { name: '登录' }).click()
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('令牌不对')

    await signIn(page, server.base, TOKENS.li)
    const [cookie] = await ctx.cookies()
    expect(cookie).toMatchObject({ name: 'anju_console', httpOnly: true, sameSite: 'Strict', secure: false })
    await expect.poll(() => page.locator('.tickets').textContent()).toContain(xingfuTicket)
    expect(await page.locator('.tickets').textContent()).not.toContain(anleTicket)

    // A state change without the page's CSRF token is refused, even with the cookie.
    const forged = await page.evaluate(async (id) => (await fetch(`/api/tickets/${id}/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'x' }) })).status, xingfuTicket)
    expect(forged).toBe(403)
  })

  it('sees a resident demand appear live, answers it, and the resident receives the answer', async () => {
    const unreadBefore = await page.locator('.badge').textContent()
    await server.chat('xingfu-3', '/settlement xingfu_jiayuan_sample')
    // A property complaint asks where first.
    expect((await server.chat('xingfu-3', '我要投诉楼道灯坏了一个月没人修')).join('\n')).toContain('几栋几单元几号')
    const id = ticketId(await server.chat('xingfu-3', '3栋2单元502'))
    // No reload: the live stream brings it, with the unread count.
    await page.locator(`[data-ticket="${id}"]`).waitFor({ timeout: 10_000 })
    expect(await page.locator('.badge').textContent()).not.toBe(unreadBefore)
    expect(await page.locator(`[data-ticket="${id}"]`).textContent()).toContain('住房')
    await screenshot(page, 'inbox-desktop')

    await page.locator(`[data-ticket="${id}"]`).click()
    await page.getByRole('heading', { name: new RegExp(id) }).waitFor()
    expect(await page.locator('blockquote').first().textContent()).toContain('楼道灯坏了')
    expect(await page.locator('.facts').textContent()).toContain('楼栋 3栋2单元 · 房号 502')
    await page.getByLabel('常用回复').selectOption({ label: '已收到，正在处理' })
    await page.getByLabel('回复内容').fill('您好，明天上午电工来换楼道灯。')
    await page.getByRole('button', { name: '发送回复' }).click()
    await expect.poll(() => page.locator('.history').textContent()).toContain('明天上午电工来换楼道灯')
    // Delivered through the web channel's queue: it arrives in the resident's web chat a moment after the click.
    await expect.poll(async () => (await server.inbox('xingfu-3')).join('\n')).toContain('明天上午电工来换楼道灯')
    await screenshot(page, 'ticket-desktop')

    // Resolving needs the note; the return visit quotes it to the resident.
    await page.getByLabel('办结说明').fill('楼道灯已全部换新。')
    await page.getByRole('button', { name: '办结并回访' }).click()
    await expect.poll(() => page.locator('h1 .tag').first().textContent()).toBe('已办结')
    await expect.poll(async () => (await server.inbox('xingfu-3')).join('\n')).toContain('问题解决了吗')
    expect((await server.inbox('xingfu-3')).join('\n')).toContain('楼道灯已全部换新。')
    expect((await server.chat('xingfu-3', '解决了')).join('\n')).toContain('已关闭')
    await page.reload()
    await expect.poll(() => page.locator('.facts').textContent()).toContain('居民说：解决了')
    // The history says the answer reached the resident, in words, not as a raw delivery record.
    expect(await page.locator('.history').textContent()).toContain('已送达居民')
  })

  it('moves through the inbox with the keyboard', async () => {
    await page.goto(`${server.base}/console#/inbox`)
    await page.locator('.ticket-link').first().waitFor()
    await page.locator('body').press('j')
    expect(await page.evaluate(() => document.activeElement?.classList.contains('ticket-link'))).toBe(true)
    await page.keyboard.press('m')
    await expect.poll(() => page.evaluate(() => location.hash)).toContain('assignee=me')
  })
})

describe('a supervisor in the console', () => {
  let ctx: BrowserContext
  let page: Page
  beforeAll(async () => {
    ctx = await context()
    page = await ctx.newPage()
    for (const user of ['901', '902', '903']) await server.telegramResident(user, '/settlement xingfu_jiayuan_sample')
    await signIn(page, server.base, TOKENS.wang)
  })
  afterAll(async () => ctx.close())

  it('sends a notice to the settlement and watches it complete', async () => {
    await page.getByRole('link', { name: '通知' }).click()
    await page.getByLabel('标题（中文）').fill('周六社区招聘会')
    await page.getByLabel('正文（中文）').fill('本周六上午九点在服务中心广场，请带身份证。')
    await page.getByRole('button', { name: '看看会发给多少人' }).click()
    // Three on Telegram, and the three web chat residents of 幸福家园 from the tests above: the web chat is pushed to.
    await expect.poll(() => page.locator('.preview').textContent()).toContain('会发给 6 人')
    expect(await page.locator('.preview').textContent()).toMatch(/网页聊天 3.*Telegram 3|Telegram 3.*网页聊天 3/)
    await screenshot(page, 'notices-desktop')
    await page.getByRole('button', { name: '发送通知' }).click()
    await expect.poll(() => page.locator('[data-status]').getAttribute('data-status'), { timeout: 15_000 }).toBe('done')
    expect(await page.locator('.progress-text').textContent()).toContain('已发送 6/6')
    expect(server.telegram.to('901').at(-1)?.text).toContain('周六社区招聘会')
    expect((await server.inbox('xingfu-2')).join('\n')).toContain('周六社区招聘会')
    await screenshot(page, 'notice-progress-desktop')
  })

  it('asks before sending a notice that reaches nobody', async () => {
    await page.goto(`${server.base}/console#/notices`)
    await page.getByLabel('标题（中文）').fill('老人体检')
    await page.getByLabel('正文（中文）').fill('下周二上午在卫生室体检。')
    await page.getByRole('checkbox', { name: '老年人服务信息' }).check()
    await page.getByRole('button', { name: '发送通知' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.waitFor()
    expect(await dialog.textContent()).toContain('不会发给任何人')
    await dialog.getByRole('button', { name: '取消' }).click()
    expect(await page.evaluate(() => location.hash)).toBe('#/notices')
  })

  it('sees the unanswered questions of their settlement, alike ones grouped, and no other settlement\'s', async () => {
    await page.goto(`${server.base}/console#/knowledge`)
    const groups = page.locator('.groups')
    await expect.poll(() => groups.textContent()).toContain('广场舞')
    expect(await groups.locator('li').filter({ hasText: '广场舞' }).first().locator('.count-pill').textContent()).toContain('2')
    expect(await groups.textContent()).not.toContain('石狮子')
    await screenshot(page, 'knowledge-desktop')
    await page.getByRole('button', { name: '重新加载' }).click()
    await expect.poll(() => page.locator('.reload-outcome').textContent(), { timeout: 15_000 }).toContain('已加载')
  })

  it('cannot open another settlement\'s ticket or questions', async () => {
    await page.goto(`${server.base}/console#/ticket/${anleTicket}`)
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/没有办成/)
    expect(await page.locator('main').textContent()).not.toContain('垃圾')
    const api = await page.evaluate(async (id) => ({
      ticket: (await fetch(`/api/tickets/${id}`)).status,
      questions: ((await (await fetch('/api/unanswered')).json()) as { questions: { text: string }[] }).questions.map((q) => q.text),
    }), anleTicket)
    expect([403, 404]).toContain(api.ticket)
    expect(api.questions.some((q) => q.includes('石狮子'))).toBe(false)
  })

  it('reads the reports with charts and a CSV download', async () => {
    await page.goto(`${server.base}/console#/reports`)
    await page.locator('canvas').first().waitFor()
    // Five charts of the months, then the assessment of the latest month: by settlement and by caseworker.
    expect(await page.locator('canvas').count()).toBe(7)
    const assessment = page.locator('section.assessment')
    await assessment.getByRole('heading', { name: '考核指标' }).waitFor()
    const tables = await assessment.locator('table').allTextContents()
    expect(tables[0]).toContain('按时办结率')
    expect(tables[0]).toContain('幸福家园')
    expect(tables[1]).toContain('满意率')
    // Another month of the range.
    const earlier = (await assessment.locator('select[name=month] option').allTextContents())[0]!
    await assessment.locator('select[name=month]').selectOption(earlier)
    await page.getByRole('heading', { name: `${earlier} 各安置区考核` }).waitFor()
    const csv = await page.evaluate(async () => (await fetch(document.querySelector<HTMLAnchorElement>('a[download]')!.href)).text())
    expect(csv).toContain('by_topic,housing_services')
    await screenshot(page, 'reports-desktop')
  })

  it('signs out', async () => {
    await page.getByRole('button', { name: '退出' }).click()
    await page.getByRole('heading', { name: '工作人员登录' }).waitFor()
    expect(await page.evaluate(async () => (await fetch('/console/api/inbox')).status)).toBe(401)
  })
})

describe('on a 390-px phone', () => {
  it('reads the inbox, a ticket, notices and reports', async () => {
    const ctx = await context(PHONE)
    const page = await ctx.newPage()
    await signIn(page, server.base, TOKENS.wang)
    await page.locator('.ticket-link').first().waitFor()
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await screenshot(page, 'inbox-phone')
    await page.locator('.ticket-link').first().click()
    await page.locator('.facts').waitFor()
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await screenshot(page, 'ticket-phone')
    await page.goto(`${server.base}/console#/notices`)
    await page.getByLabel('标题（中文）').waitFor()
    await screenshot(page, 'notices-phone')
    await page.goto(`${server.base}/console#/reports`)
    await page.locator('canvas').first().waitFor()
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await screenshot(page, 'reports-phone')
    await ctx.close()
  })
})
