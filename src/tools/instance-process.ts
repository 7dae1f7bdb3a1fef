// A server instance (`src/main.ts`) in a process of its own, for the tests and benchmarks of several instances.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import path from 'node:path'
import { createInterface } from 'node:readline'
const ROOT = path.resolve(import.meta.dirname, '../..')
const START_TIMEOUT_MS = 120_000

export interface InstanceProcess {
  url: string
  process: ChildProcess
  /** Every log line so far, parsed. */
  logs: Record<string, unknown>[]
  stop(): Promise<void>
}

/** `src/main.ts` in a process of its own on an ephemeral port; resolves once it listens. */
export async function startInstance(env: Record<string, string>): Promise<InstanceProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts')], {
    cwd: ROOT, env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  })
  const logs: Record<string, unknown>[] = []
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  let stuck: NodeJS.Timeout | undefined
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>
        logs.push(entry)
        if (typeof entry.address === 'string' && String(entry.msg).startsWith('Anju is listening')) resolve(entry.address)
      } catch { /* not a log line */ }
    })
    child.once('exit', (code) => reject(new Error(`the instance exited (${code}) before it listened: ${stderr}`)))
    // It logs that it listens at info: a process started otherwise, or stuck, is ended rather than waited for forever.
    stuck = setTimeout(() => { child.kill('SIGTERM'); reject(new Error(`the instance did not listen within ${START_TIMEOUT_MS} ms: ${stderr}`)) }, START_TIMEOUT_MS)
  }).finally(() => clearTimeout(stuck))
  return {
    url, process: child, logs,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      // A server still waiting on an open connection after its grace time is killed.
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(killer)
    },
  }
}
