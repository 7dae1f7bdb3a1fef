import type { Context } from './context'

export type NextFunction = () => Promise<void>
export type Middleware = (ctx: Context, next: NextFunction) => unknown

/**
 * Composes middleware into one, grammY/koa style: each runs until it calls `next`.
 * Calling `next` twice is a bug in the middleware and throws instead of running the rest twice.
 */
export function compose(middleware: readonly Middleware[]): Middleware {
  return (ctx, next) => {
    const run = async (index: number): Promise<void> => {
      if (index === middleware.length) return next()
      const current = middleware[index]!
      let called = false
      await current(ctx, async () => {
        if (called) throw new Error(`middleware #${index} called next() twice`)
        called = true
        await run(index + 1)
      })
    }
    return run(0)
  }
}
