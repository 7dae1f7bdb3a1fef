import { mkdir, open, readdir, readFile, rename } from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from '../../core/logger'
import type { ResidentProfile, WebIdentity } from '../types'
import { assertDataIntact } from './data-check'
import { readIfExists } from './data-file'
import { JsonLinesFile } from './json-lines-file'
import { LEGACY_DIR, legacyRecords, type LegacyFile } from './legacy-formats'
import { LowdbResidentStore } from './resident-store'
import { LowdbWebIdentityStore } from './web-stores'

/** A store of records by key, as the import writes to it: through the current store code. */
interface KeyedTarget {
  /** The folder of its files, flushed to the disk before the old files are moved aside. */
  dir: string
  has(key: string): Promise<boolean>
  put(key: string, record: unknown): Promise<void>
}

const keyedTargets = (dataDir: string): Record<'residents' | 'identities', () => KeyedTarget> => ({
  residents: () => {
    const residents = new LowdbResidentStore(dataDir)
    return {
      dir: path.join(dataDir, 'residents'),
      has: async (key) => (await residents.get(key)) !== undefined,
      put: (_key, profile) => residents.save(profile as ResidentProfile),
    }
  },
  identities: () => {
    const identities = new LowdbWebIdentityStore(dataDir)
    return {
      dir: path.join(dataDir, 'web', 'identities'),
      has: async (tokenHash) => (await identities.get(tokenHash)) !== undefined,
      put: (tokenHash, identity) => identities.add(tokenHash, identity as WebIdentity),
    }
  },
})

interface Counts {
  imported: number
  /** Found in the current format already: imported before a crash, or written since (that newer record is kept). */
  present: number
}

/**
 * Before a data folder is used (start-up, a move to PostgreSQL): every store file is read, a damaged one stops
 * everything, named (see data-check.ts); files in an earlier format are then imported into the current one.
 */
export async function checkAndUpgradeDataDir(dataDir: string, logger: Logger, now: Date): Promise<void> {
  const report = await assertDataIntact(dataDir)
  await importLegacyFiles(dataDir, report.legacy, logger, now)
}

/**
 * After the data check: imports the files the check found in an earlier format (see legacy-formats.ts)
 * into the current ones, then moves them, untouched, to `DATA_DIR/legacy/<time>/<their path>`. Safe to run again
 * after a crash at any point: keyed records already in the current files are not written again, a log part already
 * converted is recognised by its lines, and a file is moved only once what it holds is flushed to the disk.
 */
async function importLegacyFiles(dataDir: string, files: readonly LegacyFile[], logger: Logger, now: Date): Promise<void> {
  const movedTo = path.join(LEGACY_DIR, now.toISOString().replaceAll(':', '-'))
  const targets = keyedTargets(dataDir)
  for (const store of new Set(files.map((file) => file.store))) {
    const ofStore = files.filter((file) => file.store === store)
    const counts: Counts = { imported: 0, present: 0 }
    const first = ofStore[0]!
    const keyed = first.layout === 'keyed' ? targets[first.field]() : undefined
    for (const legacy of ofStore) {
      const records = legacyRecords(legacy, JSON.parse(await readFile(path.join(dataDir, legacy.file), 'utf8')))!
      const added = keyed ? await importKeyed(keyed, records as [string, unknown][]) : await importLogPart(path.join(dataDir, legacy.file), records)
      counts.imported += added.imported
      counts.present += added.present
    }
    if (keyed) await flushFolder(keyed.dir)
    for (const legacy of ofStore) {
      const to = path.join(dataDir, movedTo, legacy.file)
      await mkdir(path.dirname(to), { recursive: true })
      await rename(path.join(dataDir, legacy.file), to)
    }
    logger.info({ store, imported: counts.imported, alreadyPresent: counts.present, files: ofStore.length, movedTo },
      `earlier-format ${store} imported: ${plural(counts.imported, 'record')} (${counts.present} already in the current format) from ${plural(ofStore.length, 'file')}, moved to ${movedTo}/`)
  }
}

async function importKeyed(target: KeyedTarget, records: [string, unknown][]): Promise<Counts> {
  const counts: Counts = { imported: 0, present: 0 }
  // All of a shard's records at once: their appends coalesce into a few writes of each current shard file.
  await Promise.all(records.map(async ([key, record]) => {
    if (await target.has(key)) {
      counts.present += 1
      return
    }
    await target.put(key, record)
    counts.imported += 1
  }))
  return counts
}

/**
 * A log part `<writer>.part-NNNN.json` becomes `<writer>.part-NNNN.jsonl`, keeping its place among the parts (readers
 * go by name). Lines the current code already appended to that part (it ran before the import) follow the old items.
 */
async function importLogPart(oldFile: string, items: unknown[]): Promise<Counts> {
  const target = `${oldFile}l`
  const oldLines = items.map((item) => JSON.stringify(item))
  const existing = (await readIfExists(target)) ?? ''
  // Converted before a crash: the part begins with exactly these lines.
  if (existing.startsWith(oldLines.map((line) => `${line}\n`).join(''))) return { imported: 0, present: items.length }
  const newerLines = existing.split('\n').slice(0, -1)
  await new JsonLinesFile(target, true).compact(() => [...oldLines, ...newerLines])
  return { imported: items.length, present: 0 }
}

/** Flushes every current-format file of a folder to the disk (the stores' own appends there are not flushed). */
async function flushFolder(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.jsonl')) continue
    const handle = await open(path.join(dir, name), 'r+')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  }
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`
