import net from 'node:net'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildHttpServer } from '../../adapters/http/server'
import type { Assistant } from '../../src/assistant'
import { createLogger } from '../../src/core/logger'
import { createTestAssistant, makeTempDir, removeDir } from '../helpers'
import { TEST_DATABASE_URL, usePostgresSchema } from '../postgres'

/** A TCP relay to the database that the test can cut (every connection dropped, new ones refused) and restore. */
class Relay {
  readonly #target = new URL(TEST_DATABASE_URL)
  readonly #sockets = new Set<net.Socket>()
  #server?: net.Server
  port = 0

  async open(): Promise<void> {
    this.#server = net.createServer((client) => {
      const upstream = net.connect(Number(this.#target.port || 5432), this.#target.hostname)
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket)
        socket.on('close', () => this.#sockets.delete(socket))
        socket.on('error', () => undefined)
      }
      client.pipe(upstream).pipe(client)
    })
    await new Promise<void>((resolve) => this.#server!.listen(this.port, '127.0.0.1', resolve))
    this.port = (this.#server!.address() as net.AddressInfo).port
  }

  async cut(): Promise<void> {
    const closed = new Promise((resolve) => this.#server!.close(resolve))
    for (const socket of this.#sockets) socket.destroy()
    await closed
  }

  url(): string {
    const url = new URL(TEST_DATABASE_URL)
    url.host = `127.0.0.1:${this.port}`
    return url.toString()
  }
}

describe('when the database becomes unreachable', () => {
  const schema = usePostgresSchema()
  const relay = new Relay()
  const logLines: Record<string, unknown>[] = []
  let dir: string
  let assistant: Assistant

  beforeAll(async () => {
    dir = await makeTempDir()
    await relay.open()
    const logs = new Writable({ write(chunk, _encoding, done) { logLines.push(JSON.parse(chunk.toString())); done() } })
    assistant = await createTestAssistant(dir, { DATABASE_URL: relay.url(), DATABASE_SCHEMA: schema.name }, { logger: createLogger('info', logs) })
  })
  afterAll(async () => {
    await assistant?.stores.close()
    await removeDir(dir)
  })

  it('answers chat with 503 and the JSON error, logs why, and answers again once the database is back', async () => {
    const app = await buildHttpServer({ ...assistant, desk: undefined })
    const chat = () => app.inject({ method: 'POST', url: '/api/chat', payload: { userId: 'u1', text: '低保怎么申请' } })
    const before = await chat()
    expect(before.statusCode).toBe(200)

    await relay.cut()
    const refused = await chat()
    expect(refused.statusCode).toBe(503)
    expect(refused.json()).toMatchObject({ code: 'ANJU_ERR_STORE', message: expect.stringContaining('Storage is unavailable') })
    const failure = logLines.find((line) => line.msg === 'request failed')
    expect(JSON.stringify(failure)).toMatch(/ECONNREFUSED|Connection terminated|connect/)

    await relay.open()
    const answered = await chat()
    expect(answered.statusCode).toBe(200)
    expect(answered.json().intent).toBe(before.json().intent)
    // Nothing of the refused message was kept: the record has the two answered turns only.
    expect(await assistant.conversations.listTurns()).toHaveLength(2)
    await app.close()
  })
})
