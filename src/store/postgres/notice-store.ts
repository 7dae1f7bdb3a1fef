import type { Notice } from '../../broadcast/notice'
import type { NoticeRepository } from '../../broadcast/notice-store'
import { inTransaction, PostgresStore } from './pool'

/** Notices themselves; their deliveries are the broadcaster's. */
export class PostgresNoticeStore extends PostgresStore implements NoticeRepository {
  async add(notice: Notice): Promise<void> {
    await this.pool.query('INSERT INTO notices (id, created_at, doc) VALUES ($1, $2, $3)', [notice.id, notice.createdAt, notice])
  }

  async get(id: string): Promise<Notice | undefined> {
    return (await this.pool.query<{ doc: Notice }>('SELECT doc FROM notices WHERE id = $1', [id])).rows[0]?.doc
  }

  update(id: string, patch: Partial<Notice>): Promise<Notice> {
    return inTransaction(this.pool, async (client) => {
      const notice = (await client.query<{ doc: Notice }>('SELECT doc FROM notices WHERE id = $1 FOR UPDATE', [id])).rows[0]?.doc
      if (!notice) throw new Error(`no notice ${id}`)
      Object.assign(notice, patch)
      await client.query('UPDATE notices SET doc = $2 WHERE id = $1', [id, notice])
      return notice
    })
  }

  async list(): Promise<Notice[]> {
    return (await this.pool.query<{ doc: Notice }>('SELECT doc FROM notices ORDER BY created_at DESC, id')).rows.map((row) => row.doc)
  }
}
