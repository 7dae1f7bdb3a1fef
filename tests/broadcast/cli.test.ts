import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runBroadcastCli } from '../../src/tools/broadcast'
import { makeTempDir, removeDir } from '../helpers'
import { deskFixture, TestClock, TOKENS } from '../escalation/desk-fixture'

let dir: string
let clock: TestClock
beforeEach(async () => {
  dir = await makeTempDir()
  clock = new TestClock(new Date().toISOString())
})
afterEach(async () => { await removeDir(dir) })

const NOTICE = `title: { zh-CN: 周六招聘会 }
body: { zh-CN: 周六上午九点，社区广场。 }
audience: { settlements: [xingfu_jiayuan_sample] }
expiresAt: ${new Date(Date.now() + 86_400_000).toISOString()}
`

describe('npm run broadcast', () => {
  it('validates the file, previews, creates through the running server and prints a summary', async () => {
    const { app, say, telegram } = await (await deskFixture(dir, clock)).start()
    await say('1', '/settlement xingfu_jiayuan_sample')
    await say('2', '/settlement xingfu_jiayuan_sample')
    await say('2', '退订')
    const url = await app.listen({ port: 0, host: '127.0.0.1' })
    const file = path.join(dir, 'notice.yaml')
    await writeFile(file, NOTICE)
    const lines: string[] = []
    const progress: string[] = []
    const io = { fetch, out: (l: string) => lines.push(l), progress: (t: string) => progress.push(t), env: { ANJU_TOKEN: TOKENS.wang }, pollMs: 20 }
    try {
      expect(await runBroadcastCli([file, '--url', url], io)).toBe(0)
      expect(lines[0]).toBe('audience: 1 recipients (telegram 1); skipped: unsubscribed 1')
      expect(lines.join('\n')).toContain('notice done: 2 in the audience')
      expect(lines.join('\n')).toContain('sent 1, failed 0')
      expect(progress.join('')).toContain('[##############################] 1/1')
      expect(telegram.to('1')[0]!.text).toContain('周六招聘会')

      await writeFile(file, 'title: { en: x }\nbody: { zh-CN: y }\naudience: { settlements: all }\n')
      lines.length = 0
      expect(await runBroadcastCli([file, '--url', url], io)).toBe(1)
      expect(lines.join('\n')).toContain('at title.zh-CN')
      expect(lines.join('\n')).toContain('at expiresAt')

      lines.length = 0
      await writeFile(file, NOTICE)
      expect(await runBroadcastCli([file, '--url', url], { ...io, env: { ANJU_TOKEN: TOKENS.li } })).toBe(1)
      expect(lines.join('\n')).toContain('403')
    } finally {
      await app.close()
    }
  })
})
