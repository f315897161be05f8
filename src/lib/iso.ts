/** @module Times as the API writes them: ISO 8601 in UTC (`2026-01-05T09:30:00.000Z`), null stays null. */

export const iso = (d: Date | number | null | undefined): string | null => (d == null ? null : new Date(d).toISOString())
