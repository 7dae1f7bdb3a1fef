// `npm run data:check [-- DATA_DIR] [--quarantine]`: validates every store file of a data folder, offline (stop the
// server first). With --quarantine, damaged files are moved aside (never changed or deleted) and what was lost is told.
// Intact files in an earlier format are listed with their records: the next start imports them (legacy-import.ts).
import path from 'node:path'
import { loadConfig } from '../config/env'
import { checkDataDir, describeDamage, quarantine } from '../store/lowdb/data-check'

const args = process.argv.slice(2)
const dataDir = path.resolve(args.find((arg) => !arg.startsWith('--')) ?? loadConfig().DATA_DIR)
const report = await checkDataDir(dataDir)
console.log(`data:check ${dataDir}: ${report.files} store files read, ${report.damaged.length} damaged`)
for (const line of describeDamage(dataDir, report.damaged)) console.log(`  DAMAGED ${line}`)
for (const legacy of report.legacy) {
  console.log(`  EARLIER FORMAT ${path.join(dataDir, legacy.file)}: earlier format, will be imported at start: ${legacy.records} records (${legacy.store})`)
}
if (report.damaged.length > 0 && !args.includes('--quarantine')) {
  console.log('Run again with --quarantine to move the damaged files aside (the server then starts without them).')
  process.exit(1)
}
for (const moved of await quarantine(dataDir, report.damaged)) {
  console.log(`  QUARANTINED ${moved.file} → ${moved.movedTo}\n    lost: ${moved.lost}`)
}
