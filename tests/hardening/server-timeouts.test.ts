import { connect, type Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildHttpServer } from '../../adapters/http/server'
import type { Assistant } from '../../src/assistant'
import { createTestAssistant, makeTempDir, removeDir } from '../helpers'

// Short limits so that real sockets hit them in a test; the defaults are in the README.
const REQUEST_TIMEOUT_MS = 600
const KEEP_ALIVE_TIMEOUT_MS = 300
const CONNECTION_TIMEOUT_MS = 2_000
// Node 20 keeps an idle keep-alive socket a second beyond keepAliveTimeout, against races with clients.
const NODE_KEEP_ALIVE_BUFFER_MS = 1_000
// Node checks request timeouts on an interval (a quarter of the timeout here); the rest is a slow machine's margin.
const MARGIN_MS = 1_500

interface Closed {
  afterMs: number
  received: string
}

/** A raw client socket, and when (and with what answer) the server closed it. */
function open(port: number): { socket: Socket; closed: Promise<Closed> } {
  const started = performance.now()
  const socket = connect(port, '127.0.0.1')
  let received = ''
  socket.on('data', (chunk) => { received += chunk })
  // Writes after the server closed the socket fail: that is what is being tested.
  socket.on('error', () => {})
  const closed = new Promise<Closed>((resolve) => socket.on('close', () => resolve({ afterMs: performance.now() - started, received })))
  return { socket, closed }
}

/** Headers at once, then the body a byte every 100 ms, for ever: a slow-body (slow POST) attack. */
function slowBody(port: number) {
  const client = open(port)
  client.socket.write('POST /api/chat HTTP/1.1\r\nHost: anju\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"userId":"slow","text":"')
  const trickle = setInterval(() => { if (!client.socket.destroyed) client.socket.write('a') }, 100)
  return client.closed.finally(() => clearInterval(trickle))
}

describe('server timeouts on real sockets', () => {
  let dir: string
  let assistant: Assistant
  let app: FastifyInstance
  let port: number

  beforeAll(async () => {
    dir = await makeTempDir()
    assistant = await createTestAssistant(dir, {
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HTTP_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
      HTTP_CONNECTION_TIMEOUT_MS: String(CONNECTION_TIMEOUT_MS),
      HTTP_MAX_CONNECTIONS: '60',
    }, { desk: false })
    app = await buildHttpServer({ ...assistant })
    await app.listen({ port: 0, host: '127.0.0.1' })
    port = (app.server.address() as { port: number }).port
  })
  afterAll(async () => {
    await app.close()
    await removeDir(dir)
  })

  it('closes slow-body connections within the request timeout (408), and serves others meanwhile', async () => {
    const slow = Array.from({ length: 40 }, () => slowBody(port))
    const healthy = await fetch(`http://127.0.0.1:${port}/healthz`)
    expect(healthy.status).toBe(200)
    const closed = await Promise.all(slow)
    for (const { afterMs, received } of closed) {
      expect(afterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50)
      expect(afterMs).toBeLessThan(REQUEST_TIMEOUT_MS + MARGIN_MS)
      expect(received).toMatch(/^HTTP\/1\.1 408/)
    }
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200)
  })

  it('closes a connection that never sends its headers (slowloris) within the request timeout', async () => {
    const client = open(port)
    client.socket.write('GET /healthz HTTP/1.1\r\nHost: anju\r\n')
    const { afterMs } = await client.closed
    expect(afterMs).toBeLessThan(REQUEST_TIMEOUT_MS + MARGIN_MS)
  })

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const client = open(port)
    client.socket.write('GET /healthz HTTP/1.1\r\nHost: anju\r\nConnection: keep-alive\r\n\r\n')
    const { afterMs, received } = await client.closed
    expect(received).toMatch(/^HTTP\/1\.1 200/)
    expect(afterMs).toBeGreaterThanOrEqual(KEEP_ALIVE_TIMEOUT_MS - 50)
    expect(afterMs).toBeLessThan(KEEP_ALIVE_TIMEOUT_MS + NODE_KEEP_ALIVE_BUFFER_MS + MARGIN_MS)
  })

  it('refuses connections beyond HTTP_MAX_CONNECTIONS at once, and serves again when they are gone', async () => {
    const held = Array.from({ length: 60 }, () => open(port))
    await Promise.all(held.map(({ socket }) => new Promise((resolve) => socket.once('connect', resolve))))
    // Give the server the moment it needs to count them.
    await new Promise((resolve) => setTimeout(resolve, 100))
    const extra = open(port)
    const refused = await extra.closed
    expect(refused.received).toBe('')
    expect(refused.afterMs).toBeLessThan(REQUEST_TIMEOUT_MS)
    for (const { socket } of held) socket.destroy()
    await Promise.all(held.map(({ closed }) => closed))
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200)
  })
})
