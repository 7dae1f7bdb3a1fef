// `npm run chat`: the terminal chat on the embedded defaults (same knowledge and data folder as the server).
import { createAssistant } from '../../src/assistant'
import { loadConfig } from '../../src/config/env'
import { isAnjuError } from '../../src/core/errors'
import { MemoryResidentStore } from '../../src/store/memory/resident-store'
import { runTerminalChat } from './terminal-chat'

try {
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env })
  // Its own lowdb files: the server may be writing the same data folder at the same time. For the same reason
  // terminal users' profiles live for the session only, and demands are not raised from here.
  const assistant = await createAssistant(config, { storeWriter: 'cli', residents: new MemoryResidentStore(), desk: false })
  await runTerminalChat({
    pipeline: assistant.pipeline,
    translate: assistant.translate,
    input: process.stdin,
    output: process.stdout,
    locale: config.DEFAULT_LOCALE,
  })
} catch (error) {
  console.error(isAnjuError(error) ? `${error.code}: ${error.message}` : error)
  process.exitCode = 1
}
