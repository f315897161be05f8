/**
 * @module Member search (name or email, a case-insensitive substring) without reading every member
 * of the organization: terms of 3 or more characters start from the trigram index `users_fts`
 * (migrations/0022_members_fts.sql), as project search does (src/modules/projects/service.ts).
 * `instr()` stays the definition of a match on every path; the index only narrows the candidates.
 */
import { or, sql, type SQL } from 'drizzle-orm'
import { users } from '../../db/schema'
import { ftsPhrase } from '../projects/service'

/** Trigrams cannot match fewer characters: shorter terms walk the members newest first. */
export const MEMBER_FTS_MIN_CHARS = 3
/**
 * Above this many trigram matches (in the whole database), a search walks the organization's
 * members newest first instead of starting from the matches: the page then fills after a few
 * hundred members, while fetching and sorting every match would cost more the commoner the term.
 * Below it, starting from the matches reads at most this many people. Lower than projects' 1,000:
 * counting the matches reads each one, in both statements, so the cap is paid twice on every
 * search of 3+ characters (measured, first page of a term matched by over the cap: 2,106 rows read with a cap of 1,000,
 * 506 with 200).
 */
export const MEMBER_FTS_COMMON_MATCHES = 200

/** A member matches `term` when their name or email contains it. SQLite's lower() folds ASCII only:
 * the term goes through the same lower(), so non-ASCII names match exactly (emails are stored
 * lower-cased). instr() rather than LIKE: no wildcard escaping, and no 50-byte pattern limit on D1. */
export const memberMatches = (term: string): SQL =>
  or(sql`instr(lower(${users.fullName}), lower(${term})) > 0`, sql`instr(${users.email}, lower(${term})) > 0`)!

/** How to read members: `walk` goes through the organization's members newest first; `fts` starts
 * from the people whose name or email holds the term's trigrams (the caller then crosses to
 * `users` by rowid and to their membership, in that order: `users_fts`, `users`, `memberships`). */
export type SearchMode = { from: 'walk' } | { from: 'fts'; match: SQL }

/**
 * The statements of one member list: `build(mode, limit)` makes the query of each path. Without a
 * search, or with a short one, one walk. Otherwise two statements of which exactly one returns
 * rows: SQLite evaluates the LIMIT before reading anything, so the other costs only the capped
 * count of matches. A rare term starts from its matches; a common one walks and stops at the limit.
 */
export function memberSearchStatements<Q>(search: string | undefined, limit: number, build: (mode: SearchMode, limit: number) => Q): Q[] {
  if (!search || [...search].length < MEMBER_FTS_MIN_CHARS) return [build({ from: 'walk' }, limit)]
  const phrase = ftsPhrase(search)
  const matches = sql`(SELECT count(*) FROM (SELECT 1 FROM users_fts WHERE users_fts MATCH ${phrase} LIMIT ${MEMBER_FTS_COMMON_MATCHES}))`
  const capped = (cond: SQL) => sql`CASE WHEN ${cond} THEN ${limit} ELSE 0 END` as unknown as number
  return [
    build(
      { from: 'fts', match: sql`users_fts MATCH ${phrase} AND ${users}.rowid = users_fts.rowid` },
      capped(sql`${matches} < ${MEMBER_FTS_COMMON_MATCHES}`),
    ),
    build({ from: 'walk' }, capped(sql`${matches} >= ${MEMBER_FTS_COMMON_MATCHES}`)),
  ]
}
