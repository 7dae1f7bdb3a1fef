// `npm run migrate`: applies the PostgreSQL migrations not applied yet (the server does this at start too) and says which.
import { loadConfig } from '../config/env'
import { isAnjuError } from '../core/errors'
import { migrate } from '../store/postgres/migrate'
import { createPool } from '../store/postgres/pool'
import { describeDatabase } from '../store/stores'

async function main(): Promise<void> {
  const config = loadConfig()
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is not set: the lowdb store (the default) needs no migrations')
  const pool = createPool({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, max: 1 })
  try {
    const applied = await migrate(pool, config.DATABASE_SCHEMA)
    const where = describeDatabase(config.DATABASE_URL, config.DATABASE_SCHEMA)
    console.log(applied.length ? `applied to ${where}: ${applied.join(', ')}` : `${where} is up to date`)
  } finally {
    await pool.end()
  }
}

main().catch((error: unknown) => {
  console.error(isAnjuError(error) ? `${error.code}: ${error.message}` : (error as Error).message)
  process.exit(1)
})
