import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { MemoryOfferedChoices } from '../../src/store/memory/offered-choices'
import { createLogger } from '../../src/core/logger'
import { openPostgresStores } from '../../src/store/postgres/index'
import { deskFixture, useDeskWorkspace } from '../escalation/desk-fixture'
import { TEST_DATABASE_URL, usePostgresSchema } from '../postgres'

const schema = usePostgresSchema()
const ws = useDeskWorkspace('2026-11-30T02:00:00.000Z')

const chat = async (app: FastifyInstance, userId: string, text: string) =>
  (await app.inject({ method: 'POST', url: '/api/chat', payload: { userId, text } })).json() as { replies: { text: string }[]; intent: string | null }

describe('offered choices: what "2" in the next message means', () => {
  it('are remembered, replaced and forgotten alike in memory and in PostgreSQL', async () => {
    const stores = await openPostgresStores({ url: TEST_DATABASE_URL, schema: schema.name, max: 2, logger: createLogger('silent') })
    for (const store of [new MemoryOfferedChoices(), stores.offeredChoices!]) {
      expect(await store.get('http:1')).toBeUndefined()
      await store.set('http:1', ['/lang zh-CN', '/lang en'])
      await store.set('http:2', ['是', '否'])
      expect(await store.get('http:1')).toEqual(['/lang zh-CN', '/lang en'])
      await store.set('http:1', ['幸福家园'])
      expect(await store.get('http:1')).toEqual(['幸福家园'])
      await store.set('http:1', undefined)
      expect(await store.get('http:1')).toBeUndefined()
      expect(await store.get('http:2')).toEqual(['是', '否'])
    }
    await stores.close()
  })

  it('offered by one instance, a number picks from them on the other', async () => {
    const fixture = await deskFixture(ws.dir, ws.clock)
    const env = { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema.name }
    const a = await fixture.start(env)
    const b = await fixture.start(env)
    try {
      // The chat API lists choices as numbers; the resident's "2" reaches the other instance.
      const offered = await chat(a.app, 'r1', '/lang')
      expect(offered.replies.map((r) => r.text).join('\n')).toMatch(/2\D+English/)
      await chat(b.app, 'r1', '2')
      expect((await b.assistant.residents.get('http:r1'))?.locale).toBe('en')
      // Once answered, the number means nothing on either instance any more.
      expect((await chat(a.app, 'r1', '2')).intent).not.toBe('lang')
    } finally {
      for (const instance of [a, b]) {
        await instance.app.close()
        await instance.assistant.stores.close()
      }
    }
  })
})
