import pg from 'pg'
import type { Logger } from '../../core/logger'

export interface PostgresOptions {
  url: string
  /** Tables live in this schema (tests use one each; one deployment may share a database this way). */
  schema?: string
  /** Connections for queries. */
  max?: number
  logger?: Logger
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

/**
 * A pg pool with every connection's search_path set to the schema. A connection the server drops is logged
 * and replaced by the next query (pg does that), so the stores recover by themselves when the database returns.
 */
export function createPool(options: PostgresOptions): pg.Pool {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) throw new Error(`not a schema name: ${options.schema}`)
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    // Fail fast when the server is unreachable: chat answers 503 rather than waiting on a dead address.
    connectionTimeoutMillis: 5_000,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  })
  // An idle connection broken by the server (restart, network) must not crash the process.
  pool.on('error', (error) => options.logger?.warn({ err: error }, 'postgres: idle connection lost'))
  return pool
}

/**
 * A connection taken from the pool. While it is out, a connection the server drops must not crash the process
 * (pg emits 'error' on the client): the query under way fails with the reason, and `release(true)` discards it.
 */
export async function checkOut(pool: pg.Pool): Promise<{ client: pg.PoolClient; release: (discard?: boolean) => void }> {
  const client = await pool.connect()
  const ignore = () => undefined
  client.on('error', ignore)
  return {
    client,
    release: (discard = false) => {
      client.off('error', ignore)
      client.release(discard)
    },
  }
}

/** Runs `work` in one transaction on one connection: committed when it resolves, rolled back when it throws. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const { client, release } = await checkOut(pool)
  let broken = false
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    return result
  } catch (error) {
    broken = await client.query('ROLLBACK').then(() => false, () => true)
    throw error
  } finally {
    release(broken)
  }
}

/** A store over the pool: every PostgreSQL repository is one. */
export abstract class PostgresStore {
  constructor(protected readonly pool: pg.Pool) {}
}
