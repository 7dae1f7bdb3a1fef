import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runBroadcastCli } from '../../src/tools/broadcast'
import { parse as parseYaml } from 'yaml'
import { makeTempDir, removeDir, ROOT } from '../helpers'
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
      expect(await runBroadcastCli([file, '--url', url, '--lang', 'en'], io)).toBe(0)
      expect(lines[0]).toBe('Reaches 1 residents (Telegram 1); will not receive it: unsubscribed 1')
      expect(lines.join('\n')).toContain('Notice done: 2 in the audience')
      expect(lines.join('\n')).toContain('delivered 1, failed 0')
      expect(progress.join('')).toContain('[##############################] sent 1/1')
      expect(telegram.to('1')[0]!.text).toContain('周六招聘会')

      await writeFile(file, 'title: { en: x }\nbody: { zh-CN: y }\naudience: { settlements: all }\n')
      lines.length = 0
      // In Chinese by default: what is wrong, in plain words.
      expect(await runBroadcastCli([file, '--url', url], io)).toBe(1)
      expect(lines.join('\n')).toContain('“title.zh-CN”有问题：缺少这一项，或写法不对')
      expect(lines.join('\n')).toContain('“expiresAt”有问题：要写 expiresAt（到期时间）或 validForDays')

      lines.length = 0
      await writeFile(file, NOTICE)
      expect(await runBroadcastCli([file, '--url', url], { ...io, env: { ANJU_TOKEN: TOKENS.li } })).toBe(1)
      expect(lines.join('\n')).toContain('没有权限这样做：caseworkers may not create notices')
    } finally {
      await app.close()
    }
  })

  it('names the server it cannot reach, in the user\'s language', async () => {
    const file = path.join(dir, 'notice.yaml')
    await writeFile(file, NOTICE)
    const lines: string[] = []
    const io = { fetch, out: (l: string) => lines.push(l), progress: () => {}, env: { ANJU_TOKEN: TOKENS.wang, LANG: 'en_GB.UTF-8' } }
    // A port nothing listens on.
    expect(await runBroadcastCli([file, '--url', 'http://127.0.0.1:9'], io)).toBe(1)
    expect(lines).toEqual(['Cannot reach the Anju server at http://127.0.0.1:9. Is it running (npm start)? Use --url to give the right address.'])
    lines.length = 0
    expect(await runBroadcastCli([file, '--url', 'http://127.0.0.1:9'], { ...io, env: { ANJU_TOKEN: TOKENS.wang } })).toBe(1)
    expect(lines[0]).toContain('连不上 Anju 服务器 http://127.0.0.1:9')
  })

  it('the example notice in config/ is valid whenever it is sent: its expiry follows the send time', async () => {
    const { assistant } = await (await deskFixture(dir, clock)).start()
    const example = parseYaml(await readFile(path.join(ROOT, 'config', 'notice.example.yaml'), 'utf8'))
    for (const at of ['2026-11-23T00:00:00Z', '2031-06-01T00:00:00Z']) {
      clock.current = new Date(at)
      const parsed = assistant.broadcast!.validate(example)
      expect(Date.parse(parsed.expiresAtIso)).toBeGreaterThan(Date.parse(at))
    }
  })
})
