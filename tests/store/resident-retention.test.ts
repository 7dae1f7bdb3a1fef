import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Assistant } from '../../src/assistant'
import { LowdbResidentStore } from '../../src/store/lowdb/resident-store'
import { createTestAssistant, makeTempDir, removeDir } from '../helpers'
import { TestClock } from '../escalation/desk-fixture'

const DAY = 86_400_000

describe('retention: residents who never told a settlement and were silent for RESIDENT_RETENTION_DAYS', () => {
  let dir: string
  let assistant: Assistant
  const clock = new TestClock('2026-01-05T02:00:00.000Z')
  const say = (userId: string, text: string) => assistant.pipeline.handle({ channel: 'telegram', channelUserId: userId, text, receivedAt: clock.now() })

  beforeAll(async () => {
    dir = await makeTempDir()
    assistant = await createTestAssistant(dir, { RESIDENT_RETENTION_DAYS: '30' }, { clock })
  })
  afterAll(async () => { await removeDir(dir) })

  it('removes only those, keeping settled residents, residents still writing, and residents with an open ticket', async () => {
    await say('1', '你好')
    await say('2', '/settlement xingfu_jiayuan_sample')
    await say('3', '你好')
    await say('4', '煤气泄漏了，闻到很大的味道')
    expect((await assistant.desk!.service.ofResident('telegram:4')).length).toBe(1)
    clock.advance(20 * DAY)
    // Writing again, even without changing anything, is being here.
    await say('3', '你好')
    clock.advance(15 * DAY)

    expect(await assistant.retention.prune()).toBe(1)
    const keys = (await new LowdbResidentStore(dir).list()).map((p) => p.key).sort()
    expect(keys).toEqual(['telegram:2', 'telegram:3', 'telegram:4'])
    expect(await assistant.residents.get('telegram:1')).toBeUndefined()
    expect(await assistant.retention.prune()).toBe(0)
  })
})
