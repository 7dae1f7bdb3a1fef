import { spawn, type ChildProcess } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, removeDir, ROOT } from '../helpers'
import { deskFixture, TestClock, TOKENS } from './desk-fixture'

/** The real server in a child process (tsx, as `npm start` runs it); resolves with its address once it listens. */
function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts')], {
    cwd: ROOT, env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    let output = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const address = /Anju is listening on (http:\/\/[\d.:]+)/.exec(output)
      if (address) resolve({ child, url: address[1]! })
    })
    child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${output}`)))
  })
}

const killed = (child: ChildProcess) => new Promise<void>((resolve) => {
  if (child.exitCode !== null || child.signalCode !== null) return resolve()
  child.once('exit', () => resolve())
  child.kill('SIGKILL')
})

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('kill -9 in the middle of caseworkers\' replies, then a restart', () => {
  let dir: string
  let env: Record<string, string>
  const children: ChildProcess[] = []
  beforeAll(async () => {
    dir = await makeTempDir()
    await deskFixture(dir, new TestClock('2026-11-23T01:00:00.000Z'))
    env = { DATA_DIR: path.join(dir, 'data'), KNOWLEDGE_DIR: path.join(dir, 'knowledge'), STAFF_FILE: path.join(dir, 'staff.yaml') }
  })
  afterAll(async () => {
    await Promise.all(children.map(killed))
    await removeDir(dir)
  })

  it('relays every reply saved on the ticket exactly once, and none that was not saved', { timeout: 180_000 }, async () => {
    const first = await startServer(env)
    children.push(first.child)
    const session = await fetch(`${first.url}/api/web/session`, { method: 'POST' })
    const cookie = session.headers.get('set-cookie')!.split(';')[0]!
    const say = async (url: string, text: string) => {
      const response = await fetch(`${url}/api/web/chat`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ text }) })
      return (await response.json()) as { entries: { text: string }[] }
    }
    await say(first.url, '/settlement xingfu_jiayuan_sample')
    await say(first.url, '我要投诉电梯坏了三天没人修')
    const { entries } = await say(first.url, '5栋2单元301')
    const id = /T\d{6}-\d{4}/.exec(entries.at(-1)!.text)![0]
    const ticketFile = path.join(env.DATA_DIR!, 'tickets', `20${id.slice(1, 3)}-${id.slice(3, 5)}-${id.slice(5, 7)}`, `${id}.json`)

    const texts = Array.from({ length: 30 }, (_, n) => `【答复${String(n).padStart(2, '0')}】电梯已报修`)
    const replies = texts.map((text) => fetch(`${first.url}/api/tickets/${id}/reply`, {
      method: 'POST', headers: { authorization: `Bearer ${TOKENS.wang}`, 'content-type': 'application/json' }, body: JSON.stringify({ text }),
    }).catch(() => undefined))
    // Killed as soon as the first reply is on disk: the others are somewhere between received, saved and queued.
    await until('a reply on disk', async () => ((await readFile(ticketFile, 'utf8')).includes('"type":"reply"') ? true : undefined), 30_000)
    await killed(first.child)
    await Promise.all(replies)

    const second = await startServer(env)
    children.push(second.child)
    const ticketOf = async () => (await (await fetch(`${second.url}/api/tickets/${id}`, { headers: { authorization: `Bearer ${TOKENS.wang}` } })).json()) as
      { events: { type: string; detail?: string; outboxId?: string }[] }
    const history = async () => ((await (await fetch(`${second.url}/api/web/history`, { headers: { cookie } })).json()) as { entries: { kind: string; text: string }[] }).entries
    // Waits for the recovery at start to have queued every saved reply, and for each to have arrived.
    const saved = await until('every saved reply queued and delivered', async () => {
      const ticket = await ticketOf()
      const savedTexts = texts.filter((text) => ticket.events.some((e) => e.type === 'reply' && e.detail === text))
      const queued = ticket.events.filter((e) => e.type === 'relay_queued').length
      const pushes = (await history()).filter((e) => e.kind === 'push')
      const allArrived = savedTexts.every((text) => pushes.some((p) => p.text.includes(text)))
      return queued >= savedTexts.length && allArrived ? savedTexts : undefined
    })
    expect(saved.length).toBeGreaterThan(0)
    await killed(second.child)

    // A third start finds nothing left to recover: the counts below are final.
    const third = await startServer(env)
    children.push(third.child)
    const pushes = ((await (await fetch(`${third.url}/api/web/history`, { headers: { cookie } })).json()) as { entries: { kind: string; text: string }[] }).entries
      .filter((e) => e.kind === 'push')
    for (const text of texts) {
      expect(pushes.filter((p) => p.text.includes(text)).length, text).toBe(saved.includes(text) ? 1 : 0)
    }
  })
})
