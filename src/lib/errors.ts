/** @module One error vocabulary for every surface. Services throw `AppError`; the API maps it to
 * problem+json and the HTML routes to an error page or an inline form message. */

export const ERROR_STATUS = {
  VALIDATION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RANGE_NOT_SATISFIABLE: 416,
  RATE_LIMITED: 429,
  INTERNAL: 500,
} as const

export type ErrorCode = keyof typeof ERROR_STATUS
export type FieldError = { path: string; message: string }

const TITLES: Record<ErrorCode, string> = {
  VALIDATION: 'Validation failed',
  UNAUTHORIZED: 'Not signed in',
  FORBIDDEN: 'Not allowed',
  NOT_FOUND: 'Not found',
  CONFLICT: 'Conflict',
  PAYLOAD_TOO_LARGE: 'Payload too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  RANGE_NOT_SATISFIABLE: 'Range not satisfiable',
  RATE_LIMITED: 'Too many requests',
  INTERNAL: 'Internal error',
}

export class AppError extends Error {
  readonly status: number
  readonly title: string
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly errors: FieldError[] = [],
    /** Seconds, for RATE_LIMITED. */
    readonly retryAfter?: number,
  ) {
    super(detail)
    this.status = ERROR_STATUS[code]
    this.title = TITLES[code]
  }
}

export const notFound = (what = 'Resource') => new AppError('NOT_FOUND', `${what} not found`)
export const forbidden = (detail = 'You do not have permission to do this') => new AppError('FORBIDDEN', detail)
export const unauthorized = (detail = 'Authentication required') => new AppError('UNAUTHORIZED', detail)
export const conflict = (detail: string, errors: FieldError[] = []) => new AppError('CONFLICT', detail, errors)
/** A validation error on one field. */
export const invalid = (path: string, message: string) => new AppError('VALIDATION', message, [{ path, message }])

export type Problem = {
  type: string
  title: string
  status: number
  detail: string
  code: ErrorCode
  request_id: string
  errors?: FieldError[]
}

export function toProblem(err: AppError, requestId: string): Problem {
  return {
    type: `https://labeldesk.dev/problems/${err.code.toLowerCase().replace(/_/g, '-')}`,
    title: err.title,
    status: err.status,
    detail: err.detail,
    code: err.code,
    request_id: requestId,
    ...(err.errors.length ? { errors: err.errors } : {}),
  }
}
