import { open, readFile, rename } from 'node:fs/promises'
import path from 'node:path'
import { AnjuError } from '../../core/errors'

/** How a damaged file is repaired; every damage message ends with it. */
export const REPAIR_HINT = 'stop the server and run `npm run data:check -- --quarantine` (moves the file aside and says what was lost), or restore the file from a backup'

/** The error for a store file that cannot be read as written: names the file and what is wrong with it. */
export const damagedFile = (file: string, reason: string, cause?: unknown) =>
  new AnjuError('ANJU_ERR_DATA_DAMAGED', `${file}: ${reason}; ${REPAIR_HINT}`, { cause })

/** Bytes the store has written in this process (whole files and appended lines): the growth bench reads it. */
export const storeWrites = { bytes: 0 }

/** A temporary file of an atomic write: never data (a crash can leave one behind; it was never acknowledged). */
export const isTempFile = (name: string) => name.startsWith('.') && name.endsWith('.tmp')

/** The file's text, or undefined when there is none yet. */
export async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new AnjuError('ANJU_ERR_STORE', `${file}: ${(error as Error).message}`, { cause: error })
  }
}

/** Parses a JSON file's text; a file that does not parse is damaged, and the error says which and where. */
export function parseJsonFile<T>(file: string, text: string, parse: (text: string) => T = JSON.parse): T {
  try {
    return parse(text)
  } catch (error) {
    throw damagedFile(file, text.length === 0 ? 'the file is empty' : `not valid JSON (${(error as Error).message})`, error)
  }
}

/**
 * Replaces a file in one step: the text goes to a temporary file that is renamed over it, so a crash leaves either
 * the old file or the new one, never half of one. `durable`: flushed to the disk before the rename, for records whose
 * loss after a power cut would break a promise (tickets, the outbox); everything else relies on the OS, which keeps
 * what was written through a process crash.
 */
export async function writeFileAtomically(file: string, text: string, durable: boolean): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`)
  const handle = await open(temp, 'w')
  storeWrites.bytes += Buffer.byteLength(text)
  try {
    await handle.writeFile(text)
    if (durable) await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(temp, file)
}
