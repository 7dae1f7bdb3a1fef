/**
 * The one error catalogue: a stable code for programs, a clear message for people,
 * and the HTTP status where one applies (after fastify's createError).
 */
export const ERROR_CODES = {
  ANJU_ERR_CONFIG_INVALID: { status: 500, message: 'Configuration is invalid' },
  ANJU_ERR_KB_INVALID: { status: 500, message: 'A knowledge or intent file is invalid' },
  ANJU_ERR_BAD_REQUEST: { status: 400, message: 'The request is invalid' },
  ANJU_ERR_UNAUTHORIZED: { status: 401, message: 'A valid staff token is required' },
  ANJU_ERR_WEB_IDENTITY: { status: 401, message: 'This browser has no web chat identity (POST /api/web/session gives one)' },
  ANJU_ERR_FORBIDDEN: { status: 403, message: 'Not allowed' },
  ANJU_ERR_CSRF: { status: 403, message: 'This page is out of date or the request did not come from the console; reload the page' },
  ANJU_ERR_NOT_FOUND: { status: 404, message: 'Not found' },
  ANJU_ERR_CONFLICT: { status: 409, message: 'Not possible in the current state' },
  ANJU_ERR_RATE_LIMITED: { status: 429, message: 'Too many requests' },
  ANJU_ERR_STORE: { status: 503, message: 'Storage is unavailable' },
  /** A store file that cannot be read as written: its path, what is wrong, and how to repair it. */
  ANJU_ERR_DATA_DAMAGED: { status: 503, message: 'A data file is damaged' },
  /** Start-up found damaged store files and stopped, so that nothing is served from (or written over) them. */
  ANJU_ERR_DATA_CHECK_FAILED: { status: 500, message: 'Start-up stopped: damaged data files' },
  ANJU_ERR_INTERNAL: { status: 500, message: 'Something went wrong on our side' },
} as const

export type ErrorCode = keyof typeof ERROR_CODES

export class AnjuError extends Error {
  override readonly name = 'AnjuError'
  readonly code: ErrorCode
  readonly statusCode: number

  constructor(code: ErrorCode, detail?: string, options?: ErrorOptions) {
    const base = ERROR_CODES[code]
    super(detail ? `${base.message}: ${detail}` : base.message, options)
    this.code = code
    this.statusCode = base.status
  }
}

export const isAnjuError = (value: unknown): value is AnjuError => value instanceof AnjuError
