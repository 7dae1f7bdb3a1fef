/** Time comes through a clock so that tests can control it. */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** Monotonic time and wake-ups, for code that waits (send queues); tests pass a `ManualTimer` they advance. */
export interface Timer {
  /** Milliseconds on a monotonic scale. */
  now(): number
  /** Calls `wake` after `ms`; the returned function cancels it. A pending wake-up never keeps the process alive. */
  after(ms: number, wake: () => void): () => void
}

export const systemTimer: Timer = {
  now: () => performance.now(),
  after: (ms, wake) => {
    const handle = setTimeout(wake, Math.max(0, ms))
    handle.unref()
    return () => clearTimeout(handle)
  },
}
