import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll } from 'vitest'

/** The test database (trust auth on the machine's server, started by .ci/run where none runs); ANJU_TEST_DATABASE_URL points elsewhere. */
export const TEST_DATABASE_URL = process.env.ANJU_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** A schema of its own for one test file, dropped afterwards; `name` and `admin` are set once beforeAll has run. */
export function usePostgresSchema(): { name: string; admin: pg.Pool } {
  const schema = { name: '', admin: undefined as unknown as pg.Pool }
  beforeAll(async () => {
    schema.name = `anju_test_${randomBytes(6).toString('hex')}`
    schema.admin = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2 })
    await schema.admin.query(`CREATE SCHEMA ${schema.name}`)
  })
  afterAll(async () => {
    await schema.admin.query(`DROP SCHEMA ${schema.name} CASCADE`)
    await schema.admin.end()
  })
  return schema
}
