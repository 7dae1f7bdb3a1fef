/** Calls to the server: JSON in and out, the CSRF token on every state change, errors as ApiError. */
let csrfToken = ''

export const setCsrf = (token: string) => { csrfToken = token }

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly body: unknown) {
    super(message)
  }
}

export interface CallOptions {
  /** A request the page makes on its own (a refresh): it does not keep an idle session alive. */
  background?: boolean
}

export async function api<T = any>(method: 'GET' | 'POST', url: string, body?: unknown, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken
  if (options.background) headers['x-anju-background'] = '1'
  let response: Response
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' })
  } catch {
    throw new ApiError(0, 'NETWORK', '', undefined)
  }
  const json = await response.json().catch(() => ({}))
  if (!response.ok) {
    if (response.status === 401 && !url.endsWith('/console/api/session')) window.dispatchEvent(new CustomEvent('anju:signed-out'))
    throw new ApiError(response.status, json.code ?? 'HTTP', json.message ?? response.statusText, json)
  }
  return json as T
}
