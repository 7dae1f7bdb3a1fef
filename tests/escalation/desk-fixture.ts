import { cp, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildHttpServer } from '../../adapters/http/server'
import type { Assistant } from '../../src/assistant'
import type { OutboundReply } from '../../src/core/context'
import type { ChannelSender, DeliveryResult } from '../../src/escalation/outbox'
import { hashToken } from '../../src/escalation/staff'
import { afterEach, beforeEach } from 'vitest'
import { createTestAssistant, makeTempDir, removeDir, ROOT } from '../helpers'

/** A controllable clock. */
export class TestClock {
  current: Date
  constructor(iso: string) { this.current = new Date(iso) }
  now = () => new Date(this.current)
  advance(ms: number) { this.current = new Date(this.current.getTime() + ms) }
}

/** A channel that records what it was asked to deliver; `fail` makes it throw (a passing outage). */
export class FakeChannel implements ChannelSender {
  readonly sent: { recipient: string; reply: OutboundReply }[] = []
  fail = false
  async send(recipient: string, reply: OutboundReply): Promise<DeliveryResult> {
    if (this.fail) throw new Error('channel down')
    this.sent.push({ recipient, reply })
    return { status: 'sent' }
  }
  to(recipient: string) {
    return this.sent.filter((s) => s.recipient === recipient).map((s) => s.reply)
  }
}

export const TOKENS = {
  li: 'token-li-xiaofang-caseworker-xingfu',
  chen: 'token-chen-jianguo-caseworker-xingfu',
  wang: 'token-wang-deming-supervisor-xingfu',
  zhao: 'token-zhao-lijuan-caseworker-anle',
  admin: 'token-admin-of-everything',
}

/**
 * Knowledge with Telegram chats for the sample staff, a staff file with tokens, and the assistant on `dataDir`:
 * the real desk, on real lowdb files, with a fake Telegram for deliveries.
 */
export async function deskFixture(dir: string, clock: TestClock, chatIds: Record<string, string> = {}, wechatContacts: Record<string, string> = {}) {
  const knowledgeDir = path.join(dir, 'knowledge')
  const staffFile = path.join(dir, 'staff.yaml')
  await cp(path.join(ROOT, 'knowledge'), knowledgeDir, { recursive: true })
  const settlements = path.join(knowledgeDir, 'settlements.yaml')
  let directory = await readFile(settlements, 'utf8')
  for (const id of ['li_xiaofang', 'chen_jianguo', 'wang_deming', 'zhao_lijuan', 'zhou_wenhua']) {
    const wechat = wechatContacts[id] ? `        wechatContact: "${wechatContacts[id]}"\n` : ''
    directory = directory.replace(`- id: ${id}\n`, `- id: ${id}\n        telegramChatId: "${chatIds[id] ?? `chat-${id}`}"\n${wechat}`)
  }
  await writeFile(settlements, directory)
  const staff = [
    ['li_xiaofang', 'caseworker', TOKENS.li],
    ['chen_jianguo', 'caseworker', TOKENS.chen],
    ['wang_deming', 'supervisor', TOKENS.wang],
    ['zhao_lijuan', 'caseworker', TOKENS.zhao],
    ['chief', 'admin', TOKENS.admin],
  ]
  await writeFile(staffFile, `staff:\n${staff.map(([id, role, token]) => `  - id: ${id}\n    name: ${id}\n    role: ${role}\n    tokenSha256: ${hashToken(token!)}\n`).join('')}`)

  /** `env`: more configuration (limits, say). */
  const start = async (env: Record<string, string> = {}) => {
    const assistant = await createTestAssistant(path.join(dir, 'data'), { KNOWLEDGE_DIR: knowledgeDir, STAFF_FILE: staffFile, ...env }, { clock })
    const telegram = new FakeChannel()
    assistant.desk!.outbox.register('telegram', telegram)
    const app = await buildHttpServer({ ...assistant, desk: assistant.desk, conversations: assistant.conversations })
    return { assistant, telegram, app, ...helpers(assistant, app, clock) }
  }
  return { start }
}

function helpers(assistant: Assistant, app: FastifyInstance, clock: TestClock) {
  /** A Telegram resident says something; the replies' texts come back. */
  const say = async (userId: string, text: string) => {
    const ctx = await assistant.pipeline.handle({ channel: 'telegram', channelUserId: userId, text, receivedAt: clock.now() })
    await assistant.desk!.outbox.drain()
    return ctx
  }
  const api = async (token: string | undefined, method: 'GET' | 'POST', url: string, payload?: unknown, remoteAddress?: string) => {
    const response = await app.inject({ method, url, payload: payload as Record<string, unknown>, headers: token ? { authorization: `Bearer ${token}` } : {}, remoteAddress })
    await assistant.desk!.outbox.drain()
    return response
  }
  return { say, api }
}

/** A fresh folder and a test clock at `start` for each test of the enclosing block; the folder is removed after. */
export function useDeskWorkspace(start: string) {
  const workspace = {} as { dir: string; clock: TestClock }
  beforeEach(async () => {
    workspace.dir = await makeTempDir()
    workspace.clock = new TestClock(start)
  })
  afterEach(async () => { await removeDir(workspace.dir) })
  return workspace
}
