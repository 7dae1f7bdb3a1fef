// `npm run migrate-store -- --from lowdb --to postgres`: moves the lowdb data in DATA_DIR into the PostgreSQL
// database of DATABASE_URL (DATABASE_SCHEMA), its migrations applied first. Safe to run twice; says what it moved.
// Run it with the server stopped: lowdb has one writer per data folder.
import path from 'node:path'
import { parseArgs } from 'node:util'
import { loadConfig } from '../config/env'
import { isAnjuError } from '../core/errors'
import { createLogger } from '../core/logger'
import { checkAndUpgradeDataDir } from '../store/lowdb/legacy-import'
import { importLowdb } from '../store/postgres/import-lowdb'
import { migrate } from '../store/postgres/migrate'
import { createPool } from '../store/postgres/pool'
import { describeDatabase } from '../store/stores'

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } } })
  if (values.from !== 'lowdb' || values.to !== 'postgres') throw new Error('usage: npm run migrate-store -- --from lowdb --to postgres (with DATA_DIR and DATABASE_URL set)')
  const config = loadConfig()
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is not set: where should the data go?')
  const pool = createPool({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, max: 2 })
  try {
    await migrate(pool, config.DATABASE_SCHEMA)
    const dataDir = path.resolve(config.DATA_DIR)
    // Files in an earlier lowdb format would otherwise be left behind: imported into the current one first.
    await checkAndUpgradeDataDir(dataDir, createLogger(config.LOG_LEVEL), new Date())
    const report = await importLowdb(dataDir, pool)
    console.log(`from ${dataDir} to ${describeDatabase(config.DATABASE_URL, config.DATABASE_SCHEMA)}:`)
    for (const [kind, { moved, already }] of Object.entries(report)) console.log(`  ${kind}: ${moved} moved${already ? `, ${already} already there` : ''}`)
  } finally {
    await pool.end()
  }
}

main().catch((error: unknown) => {
  console.error(isAnjuError(error) ? `${error.code}: ${error.message}` : (error as Error).message)
  process.exit(1)
})
