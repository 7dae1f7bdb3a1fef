import type { FastifyInstance } from 'fastify'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { buildHttpServer } from '../../adapters/http/server'
import type { Assistant } from '../../src/assistant'
import { createTestAssistant, makeTempDir, removeDir } from '../helpers'

describe('per-address rate limit on the HTTP API (@fastify/rate-limit)', () => {
  let dir: string
  let assistant: Assistant
  let app: FastifyInstance
  const chat = (remoteAddress: string, userId = `u-${remoteAddress}`) =>
    app.inject({ method: 'POST', url: '/api/chat', payload: { userId, text: '低保怎么申请' }, remoteAddress })

  beforeAll(async () => {
    dir = await makeTempDir()
    assistant = await createTestAssistant(dir, { HTTP_RATE_LIMIT_MAX: '5', HTTP_RATE_LIMIT_WINDOW_SECONDS: '60' }, { desk: false })
    app = await buildHttpServer({ ...assistant })
  })
  afterAll(async () => {
    await app.close()
    await removeDir(dir)
  })
  afterEach(() => { vi.useRealTimers() })

  it('answers 429 with Retry-After and the JSON error once an address is over the limit; other addresses go on', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-11-23T01:00:00Z'))
    // Different residents behind one address: the limit is the address's.
    const statuses = []
    for (let n = 0; n < 7; n += 1) statuses.push((await chat('198.51.100.1', `resident-${n}`)).statusCode)
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429])

    const refused = await chat('198.51.100.1')
    expect(refused.statusCode).toBe(429)
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60)
    expect(refused.headers['content-type']).toContain('application/json')
    expect(refused.json()).toEqual({ statusCode: 429, code: 'ANJU_ERR_RATE_LIMITED', error: 'Too Many Requests', message: expect.stringContaining('retry in') })

    expect((await chat('198.51.100.2')).statusCode).toBe(200)

    // The window passes: the address is answered again.
    vi.setSystemTime(new Date('2026-11-23T01:01:01Z'))
    expect((await chat('198.51.100.1')).statusCode).toBe(200)
  })

  it('does not count the web page, its files or the health check', async () => {
    for (let n = 0; n < 12; n += 1) {
      expect((await app.inject({ method: 'GET', url: '/', remoteAddress: '198.51.100.3' })).statusCode).toBe(200)
      expect((await app.inject({ method: 'GET', url: '/healthz', remoteAddress: '198.51.100.3' })).statusCode).toBe(200)
    }
    expect((await chat('198.51.100.3')).statusCode).toBe(200)
  })

  it('counts the client address given by a trusted proxy', async () => {
    const proxied = await buildHttpServer({ ...assistant, config: { ...assistant.config, TRUST_PROXY: ['127.0.0.1'] } })
    const via = (client: string) => proxied.inject({ method: 'POST', url: '/api/chat', payload: { userId: `p-${client}`, text: '你好' }, remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': client } })
    for (let n = 0; n < 5; n += 1) expect((await via('192.0.2.10')).statusCode).toBe(200)
    expect((await via('192.0.2.10')).statusCode).toBe(429)
    expect((await via('192.0.2.11')).statusCode).toBe(200)
    await proxied.close()
  })
})
