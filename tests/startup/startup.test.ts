import { execFile } from 'node:child_process'
import { cp, mkdir, writeFile, readFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, removeDir, ROOT } from '../helpers'

const run = promisify(execFile)
const startServer = (env: Record<string, string>) =>
  run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts')], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 15_000 })
    .then(() => ({ code: 0, stderr: '', stdout: '' }), (error: { code: number; stderr: string; stdout: string }) => ({ code: error.code, stderr: error.stderr, stdout: error.stdout }))

describe('start-up', () => {
  let dir: string
  beforeAll(async () => { dir = await makeTempDir() })
  afterAll(async () => { await removeDir(dir) })

  it('stops on a malformed knowledge file, naming the file, the path inside it and the reason', async () => {
    const knowledgeDir = path.join(dir, 'knowledge')
    await cp(path.join(ROOT, 'knowledge'), knowledgeDir, { recursive: true })
    const file = path.join(knowledgeDir, 'topics', 'school_enrolment.yaml')
    await writeFile(file, (await readFile(file, 'utf8')).replace(/^sources:/m, 'sauces:'))
    const { code, stderr } = await startServer({ KNOWLEDGE_DIR: knowledgeDir, DATA_DIR: path.join(dir, 'data'), PORT: '0' })
    expect(code).toBe(1)
    expect(stderr).toContain('ANJU_ERR_KB_INVALID')
    expect(stderr).toContain(`${file} at sources`)
  })

  it('stops on a bad configuration value, naming the variable', async () => {
    const { code, stderr } = await startServer({ PORT: 'eighty', DATA_DIR: path.join(dir, 'data') })
    expect(code).toBe(1)
    expect(stderr).toContain('ANJU_ERR_CONFIG_INVALID')
    expect(stderr).toContain('PORT')
  })

  it('stops before listening on a damaged store file, naming it, leaving it as it was and saying how to repair it', async () => {
    const dataDir = path.join(dir, 'damaged-data')
    const file = path.join(dataDir, 'notices', 'notices.json')
    await mkdir(path.dirname(file), { recursive: true })
    await writeFile(file, '{"notices":{"N1":{"id":"N1","title":{"zh-CN":"停')
    const { code, stderr, stdout } = await startServer({ DATA_DIR: dataDir, PORT: '0' })
    expect(code).toBe(1)
    expect(stderr).toContain('ANJU_ERR_DATA_CHECK_FAILED')
    expect(stderr).toContain(`${file}: not valid JSON`)
    expect(stderr).toContain('npm run data:check -- --quarantine')
    expect(stdout).not.toContain('listening')
    expect(await readFile(file, 'utf8')).toBe('{"notices":{"N1":{"id":"N1","title":{"zh-CN":"停')
  })
})
