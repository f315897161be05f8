/**
 * @module Optimistic actor: who a session cookie or API key belongs to, remembered by the isolate and
 * confirmed against D1 in the same round trip as the request's first read, instead of one whole
 * round trip before it (locally each D1 call costs about as much as two hello-world requests).
 *
 * It is never trusted unconfirmed. A GET whose credential is remembered gets the remembered actor
 * and an `ActorGate`, and its `db` goes through `guardD1`:
 * - the first batch of reads sent with `runReads` (src/db/reads.ts) carries the credential lookup
 *   as its first statement (one transaction: the data read and the actor confirmed are of the same
 *   moment), plus what the request asked to read along (`along`, e.g. a page's Tasks badge);
 * - any other D1 call first confirms the actor with the lookup alone (what happens today anyway);
 * - a handler that touched no D1 is confirmed after it ran, before its answer leaves.
 * When the lookup says something else (role changed, member removed, session ended, name edited),
 * the answer is thrown away and the request runs again with the actor read fresh (`runAgainWith` in
 * src/middleware/auth.ts).
 * Only GETs are optimistic, so nothing a stale actor did is ever kept: reads are discarded, and a
 * write through `db` cannot happen before the confirmation.
 */
import type { BatchItem } from 'drizzle-orm/batch'
import type { Actor } from './actor'
import type { Db, Read } from '../db/client'

/** The lookup of one credential, as `actorFromSession` / `actorFromApiKey` run it. */
export type Lookup = {
  /** Cache key: the kind of credential and its hash. */
  key: string
  /** The statement (raw SQL with column aliases, so that D1's batch results keep every column). */
  item: (db: Db) => BatchItem<'sqlite'>
  /** The actor of the lookup's first row (no row: credential unknown, expired or revoked). */
  toActor: (row: Record<string, unknown> | undefined) => Actor | undefined
  /** Work due once the actor is confirmed (an API key's last-used stamp). */
  confirmed?: (row: Record<string, unknown>) => void
}

/** Runs a lookup by itself: its first row (if any) and the actor it gives. */
export async function runLookup(db: Db, lookup: Lookup): Promise<{ row: Record<string, unknown> | undefined; actor: Actor | undefined }> {
  const rows = await (lookup.item(db) as unknown as Promise<Record<string, unknown>[]>)
  return { row: rows[0], actor: lookup.toActor(rows[0]) }
}

export class ActorStale extends Error {
  constructor() {
    super('the remembered actor is out of date; the request runs again')
  }
}

const TTL_MS = 10 * 60_000
const MAX_ENTRIES = 2_000
const remembered = new Map<string, { actor: Actor; at: number }>()

export function recall(key: string, now = Date.now()): Actor | undefined {
  const hit = remembered.get(key)
  if (!hit) return undefined
  if (now - hit.at > TTL_MS) {
    remembered.delete(key)
    return undefined
  }
  return hit.actor
}

export function remember(key: string, actor: Actor | undefined, now = Date.now()): void {
  remembered.delete(key)
  if (!actor) return
  // A Map iterates in insertion order: the first key is the least recently stored.
  if (remembered.size >= MAX_ENTRIES) remembered.delete(remembered.keys().next().value!)
  remembered.set(key, { actor, at: now })
}

export const forget = (key: string) => void remembered.delete(key)

const same = (a: Actor, b: Actor) =>
  a.userId === b.userId &&
  a.email === b.email &&
  a.fullName === b.fullName &&
  a.orgId === b.orgId &&
  a.orgName === b.orgName &&
  a.role === b.role &&
  a.via === b.via &&
  a.sessionId === b.sessionId &&
  a.apiKeyId === b.apiKeyId &&
  a.readOnly === b.readOnly

const queryOf = (item: BatchItem<'sqlite'>) => (item as unknown as { getQuery(): { sql: string; params: unknown[] } }).getQuery()

export class ActorGate {
  state: 'pending' | 'ok' | 'stale' = 'pending'
  private confirming?: Promise<void>
  private lookupSql: string
  private lookupParams: string

  constructor(
    private d1: D1Database,
    readonly actor: Actor,
    readonly lookup: Lookup,
    private db: Db,
  ) {
    const q = queryOf(lookup.item(db))
    this.lookupSql = q.sql
    this.lookupParams = JSON.stringify(q.params)
  }

  private alongReads: Read<void>[] = []

  /** The lookup, to lead a batch of reads. */
  lookupItem(): BatchItem<'sqlite'> {
    return this.lookup.item(this.db)
  }

  /** Asks the batch that confirms the actor to read this too (dropped if no batch does). */
  along(read: Read<void>): void {
    if (this.state === 'pending') this.alongReads.push(read)
  }

  takeAlong(): Read<void>[] {
    const r = this.alongReads
    this.alongReads = []
    return r
  }

  isLookup(sql: string, params: unknown[]): boolean {
    return sql === this.lookupSql && JSON.stringify(params) === this.lookupParams
  }

  /** Compares the lookup's answer with the remembered actor, and remembers the answer. */
  settle(rows: Record<string, unknown>[]): void {
    const fresh = this.lookup.toActor(rows[0])
    remember(this.lookup.key, fresh)
    if (fresh && same(fresh, this.actor)) {
      this.state = 'ok'
      this.lookup.confirmed?.(rows[0]!)
    } else this.state = 'stale'
  }

  /** Resolves once the actor is confirmed; throws `ActorStale` when it is not. */
  async confirm(): Promise<void> {
    if (this.state === 'pending') {
      const q = queryOf(this.lookup.item(this.db))
      this.confirming ??= this.d1
        .prepare(q.sql)
        .bind(...q.params)
        .all<Record<string, unknown>>()
        .then((r) => this.settle(r.results))
      await this.confirming
    }
    if (this.state === 'stale') throw new ActorStale()
  }
}

/**
 * A D1 binding whose every call waits for the gate, except a batch led by the gate's own lookup:
 * that one confirms the actor with its first result (and throws `ActorStale` instead of returning
 * data read for someone who is no longer who they were).
 */
export function guardD1(d1: D1Database, gate: () => ActorGate | undefined): D1Database {
  type Known = { stmt: D1PreparedStatement; sql: string; params: unknown[] }
  const known = new WeakMap<object, Known>()
  const confirm = () => gate()?.confirm()
  const wrap = (stmt: D1PreparedStatement, sql: string, params: unknown[]): D1PreparedStatement => {
    const w = {
      bind: (...p: unknown[]) => wrap(stmt.bind(...p), sql, p),
      first: async (col?: string) => (await confirm(), col === undefined ? stmt.first() : stmt.first(col)),
      all: async () => (await confirm(), stmt.all()),
      run: async () => (await confirm(), stmt.run()),
      raw: async (o?: { columnNames?: boolean }) => (await confirm(), stmt.raw(o as { columnNames: true })),
    }
    known.set(w, { stmt, sql, params })
    return w as unknown as D1PreparedStatement
  }
  return {
    prepare: (sql: string) => wrap(d1.prepare(sql), sql, []),
    async batch(stmts: D1PreparedStatement[]) {
      const inner = stmts.map((s) => known.get(s) ?? { stmt: s, sql: '', params: [] })
      const g = gate()
      const led = g?.state === 'pending' && inner[0] !== undefined && g.isLookup(inner[0].sql, inner[0].params)
      if (!led) await confirm()
      const res = await d1.batch(inner.map((x) => x.stmt))
      if (led) {
        g!.settle(res[0]!.results as Record<string, unknown>[])
        if (g!.state === 'stale') throw new ActorStale()
      }
      return res
    },
    async exec(sql: string) {
      await confirm()
      return d1.exec(sql)
    },
    async dump() {
      await confirm()
      return d1.dump()
    },
    withSession() {
      throw new Error('sessions are not used through the guarded binding')
    },
  } as unknown as D1Database
}
