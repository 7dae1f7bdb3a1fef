import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type pg from 'pg'
import { inTransaction } from './pool'

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url))
const MIGRATION_FILE = /^(\d{4})_[a-z0-9_]+\.sql$/

/**
 * Applies the migrations not applied yet, in the order of their numbers, all in one transaction; `schema_migrations`
 * says which ran. Instances starting together wait on one advisory lock, so each migration runs once.
 * Resolves with the names applied now (none when the schema is up to date).
 */
export async function migrate(pool: pg.Pool, schema?: string, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((name) => MIGRATION_FILE.test(name)).sort()
  return inTransaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('anju:migrations'))`)
    // The pool's search_path names the schema (a checked name); it must exist before a table can go in it.
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())')
    const done = new Set((await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((row) => row.name))
    const applied: string[] = []
    for (const name of files) {
      if (done.has(name)) continue
      await client.query(await readFile(`${dir}/${name}`, 'utf8'))
      await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name])
      applied.push(name)
    }
    return applied
  })
}
