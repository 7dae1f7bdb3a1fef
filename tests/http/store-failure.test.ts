import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildHttpServer } from '../../adapters/http/server'
import { createTestAssistant, makeTempDir, removeDir } from '../helpers'

describe('when the conversation record cannot be written', () => {
  let dir: string
  beforeAll(async () => { dir = await makeTempDir() })
  afterAll(async () => { await removeDir(dir) })

  it('answers 503 ANJU_ERR_STORE so the client retries, and keeps serving', async () => {
    // DATA_DIR is a file, not a folder: every write fails.
    const blocked = path.join(dir, 'not-a-folder')
    await writeFile(blocked, 'x')
    const assistant = await createTestAssistant(blocked)
    const app = await buildHttpServer({ ...assistant, desk: undefined })
    const response = await app.inject({ method: 'POST', url: '/api/chat', payload: { userId: 'u', text: '低保怎么申请' } })
    expect(response.statusCode).toBe(503)
    expect(response.json()).toMatchObject({ code: 'ANJU_ERR_STORE', message: expect.stringContaining('could not be stored') })
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
    await app.close()
  })
})
