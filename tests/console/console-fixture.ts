import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { chromium, type Browser, type Page } from 'playwright-core'
import { buildHttpServer } from '../../adapters/http/server'
import type { Assistant } from '../../src/assistant'
import { hashToken } from '../../src/escalation/staff'
import { FakeChannel, TOKENS } from '../escalation/desk-fixture'
import { createTestAssistant, makeTempDir, removeDir, ROOT } from '../helpers'

export { TOKENS }

const HISTORY_TOPICS = ['housing_services', 'employment_help', 'dibao_eligibility', 'medical_access', 'school_enrolment', 'other']

/**
 * Closed tickets of the past five months in two settlements, stored as the ticket store keeps them, so that the
 * reports have months to chart. They are all closed: the inboxes the tests look at show unresolved tickets.
 */
async function seedHistory(assistant: Assistant): Promise<void> {
  const now = Date.now()
  for (let i = 0; i < 40; i++) {
    const created = new Date(now - (150 - i * 3.6) * 86_400_000)
    const answered = new Date(created.getTime() + (2 + (i % 7) * 5) * 3_600_000)
    const resolved = new Date(answered.getTime() + (10 + (i % 5) * 18) * 3_600_000)
    const settlementId = i % 3 === 0 ? 'anle_xinju_sample' : 'xingfu_jiayuan_sample'
    await assistant.desk!.tickets.create(created, (id) => ({
      id, residentKey: `telegram:h${i}`, channel: 'telegram', channelUserId: `h${i}`, settlementId,
      category: HISTORY_TOPICS[i % HISTORY_TOPICS.length]!, summary: `往期诉求 ${i}`, context: [], priority: i % 9 === 0 ? 'urgent' : 'normal',
      status: 'closed', assignee: settlementId === 'anle_xinju_sample' ? 'zhao_lijuan' : 'li_xiaofang',
      dueAt: new Date(created.getTime() + 72 * 3_600_000).toISOString(), createdAt: created.toISOString(), updatedAt: resolved.toISOString(),
      firstAnswerAt: answered.toISOString(), resolvedAt: resolved.toISOString(), closedAt: resolved.toISOString(), resolution: '已处理',
      satisfaction: { solved: i % 4 !== 0, at: resolved.toISOString() }, alerted: {},
      events: [{ at: created.toISOString(), actor: 'resident', type: 'created', detail: `往期诉求 ${i}` }, { at: created.toISOString(), actor: 'system', type: 'notification_queued', detail: '' }],
    }))
  }
}

/** Debian's chromium, as the brief says: the registry's browser downloads do not work here. */
export const launchBrowser = (): Promise<Browser> => chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
})

/**
 * The real server on an ephemeral port, on the real knowledge base, with the sample staff reachable only through
 * the console (no chat contact, as in the sample settlements) and a fake Telegram for residents' notices.
 */
export async function startConsoleServer() {
  const dir = await makeTempDir('anju-console-')
  const staffFile = path.join(dir, 'staff.yaml')
  const staff = [
    ['li_xiaofang', '李晓芳', 'caseworker', TOKENS.li],
    ['chen_jianguo', '陈建国', 'caseworker', TOKENS.chen],
    ['wang_deming', '王德明', 'supervisor', TOKENS.wang],
    ['zhao_lijuan', '赵丽娟', 'caseworker', TOKENS.zhao],
    ['zhou_wenhua', '周文华', 'supervisor', 'token-zhou-wenhua-supervisor-anle'],
    ['chief', '总管', 'admin', TOKENS.admin],
  ]
  await writeFile(staffFile, `staff:\n${staff.map(([id, name, role, token]) => `  - id: ${id}\n    name: ${name}\n    role: ${role}\n    tokenSha256: ${hashToken(token!)}\n`).join('')}`)
  const assistant = await createTestAssistant(path.join(dir, 'data'), { STAFF_FILE: staffFile, KNOWLEDGE_DIR: path.join(ROOT, 'knowledge') })
  await seedHistory(assistant)
  const telegram = new FakeChannel()
  assistant.desk!.outbox.register('telegram', telegram)
  const app = await buildHttpServer({ ...assistant })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`

  /** Each web chat resident of the tests is a browser: a token cookie the server issued, kept by name. */
  const cookies = new Map<string, string>()
  const cookieOf = async (resident: string): Promise<string> => {
    let cookie = cookies.get(resident)
    if (!cookie) {
      const session = await fetch(`${base}/api/web/session`, { method: 'POST' })
      cookie = session.headers.getSetCookie()[0]!.split(';')[0]!
      cookies.set(resident, cookie)
    }
    return cookie
  }
  /** A web chat resident writes; the texts of the assistant's replies come back. */
  const chat = async (resident: string, text: string): Promise<string[]> => {
    const response = await fetch(`${base}/api/web/chat`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: await cookieOf(resident) }, body: JSON.stringify({ text }) })
    const { entries } = (await response.json()) as { entries: { from: string; text: string }[] }
    return entries.filter((e) => e.from === 'assistant').map((e) => e.text)
  }
  /** What reached the resident's web chat since they wrote (caseworkers' answers, return visits): its pushes. */
  const inbox = async (resident: string): Promise<string[]> => {
    const response = await fetch(`${base}/api/web/history`, { headers: { cookie: await cookieOf(resident) } })
    const { entries } = (await response.json()) as { entries: { kind: string; text: string }[] }
    return entries.filter((e) => e.kind === 'push').map((e) => e.text)
  }
  const telegramResident = (userId: string, text: string) => assistant.pipeline.handle({ channel: 'telegram', channelUserId: userId, text, receivedAt: new Date() })

  const stop = async () => {
    await assistant.broadcast?.stop()
    await app.close()
    await removeDir(dir)
  }
  return { base, assistant, telegram, chat, inbox, telegramResident, stop }
}

export async function signIn(page: Page, base: string, token: string): Promise<void> {
  await page.goto(`${base}/console`)
  await page.getByLabel(/工作人员令牌|Staff token/).fill(token)
  await page.getByRole('button', { name: /^(登录|Sign in)$/ }).click()
  await page.getByRole('heading', { name: /^(工单|Tickets)$/ }).waitFor()
}

const SHOTS = path.join(ROOT, 'docs', 'screenshots')
/** With ANJU_SCREENSHOTS=1 (npm run screenshots), the main pages are saved for the README. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.ANJU_SCREENSHOTS !== '1') return
  await mkdir(SHOTS, { recursive: true })
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true })
}
