import path from 'node:path'
import type { AuditEntry, AuditRepository, TimeRange } from '../types'
import { PartitionedLog } from './partitioned-log'

/** The audit log, append-only, per UTC day: `DATA_DIR/audit/<day>/`. */
export class LowdbAuditStore implements AuditRepository {
  readonly #log: PartitionedLog<AuditEntry>

  constructor(dataDir: string) {
    this.#log = new PartitionedLog(path.join(dataDir, 'audit'))
  }

  record(entry: AuditEntry): Promise<void> {
    return this.#log.append(entry.at.slice(0, 10), entry)
  }

  async list(range: TimeRange = {}): Promise<AuditEntry[]> {
    const from = range.from?.toISOString()
    const to = range.to?.toISOString()
    const entries: AuditEntry[] = []
    for (const day of await this.#log.partitions()) {
      if ((from && day < from.slice(0, 10)) || (to && day > to.slice(0, 10))) continue
      entries.push(...(await this.#log.read(day)).filter((e) => (!from || e.at >= from) && (!to || e.at < to)))
    }
    return entries
  }
}
