import path from 'node:path'
import { CoalescingFile } from '../store/lowdb/coalescing-file'
import type { Notice } from './notice'

/** Notices themselves (not their deliveries): a few hundred a year, so one small file. */
export interface NoticeRepository {
  add(notice: Notice): Promise<void>
  get(id: string): Promise<Notice | undefined>
  update(id: string, patch: Partial<Notice>): Promise<Notice>
  /** Newest first. */
  list(): Promise<Notice[]>
}

/** `DATA_DIR/notices/notices.json`. Deliveries live in `broadcasts/<id>/`, so this file stays small. */
export class LowdbNoticeStore implements NoticeRepository {
  readonly #dir: string
  #file?: Promise<CoalescingFile<{ notices: Record<string, Notice> }>>

  constructor(dataDir: string) {
    this.#dir = path.join(dataDir, 'notices')
  }

  async add(notice: Notice): Promise<void> {
    const file = await this.#open()
    file.db.data.notices[notice.id] = structuredClone(notice)
    await file.save()
  }

  async get(id: string): Promise<Notice | undefined> {
    const notice = (await this.#open()).db.data.notices[id]
    return notice && structuredClone(notice)
  }

  async update(id: string, patch: Partial<Notice>): Promise<Notice> {
    const file = await this.#open()
    const notice = file.db.data.notices[id]
    if (!notice) throw new Error(`no notice ${id}`)
    Object.assign(notice, patch)
    await file.save()
    return structuredClone(notice)
  }

  async list(): Promise<Notice[]> {
    return Object.values((await this.#open()).db.data.notices)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
      .map((notice) => structuredClone(notice))
  }

  #open() {
    this.#file ??= CoalescingFile.open<{ notices: Record<string, Notice> }>(path.join(this.#dir, 'notices.json'), { notices: {} })
    return this.#file
  }
}
