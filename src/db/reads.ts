/**
 * @module Reads that can share one D1 round trip. A read is its statements plus how their rows
 * become its answer; `runReads` sends the statements of several reads as one D1 batch. The
 * dashboard page has five independent reads after loading the project: as separate queries that
 * is five trips to D1 (each a network hop in production, ~2 ms of serialized work on a local D1),
 * as one batch it is one. A batch also reads one consistent snapshot.
 *
 * While the request's remembered actor awaits confirmation (src/auth/optimistic-actor.ts), the
 * first `runReads` of the request also carries the actor's lookup, in front, and whatever the
 * request asked to read along with it (`gate.along`, e.g. the Tasks badge of a page): the actor,
 * the page's data and its chrome in one round trip.
 *
 * Without a remembered actor (a new session, an API key), the reads asked for along (`ctx.along`,
 * the Tasks badge of a page) still ride with the first batch: a page is then the actor's lookup and
 * one batch, two round trips.
 *
 * Statements in a batch come back keyed by column name: two selected columns with the same name
 * (say `id` of two joined tables) must be given distinct aliases.
 */
import type { Ctx } from '../env'
import type { BatchItem } from 'drizzle-orm/batch'
import { runBatch, type Read } from './client'

export type { Read }

/** Runs the reads' statements in one batch; answers in the order of `reads`. Reads only: a batch
 * that confirms a stale actor is thrown away, which would not undo a write (but see `guardedWrite`). */
export async function runReads<T extends unknown[]>(
  ctx: Pick<Ctx, 'db' | 'gate' | 'along'>,
  ...reads: { [K in keyof T]: Read<T[K]> }
): Promise<T> {
  const gate = ctx.gate?.state === 'pending' ? ctx.gate : undefined
  const along = [...(gate ? gate.takeAlong() : []), ...(ctx.along?.splice(0) ?? [])]
  const lead = gate ? [gate.lookupItem()] : []
  const mine = reads.flatMap((r) => r.stmts)
  const extra = along.flatMap((r) => r.stmts)
  const stmts = [...lead, ...mine, ...extra]
  // A lone statement goes as a plain query: a batch adds its transaction for nothing.
  const results =
    stmts.length > 1
      ? ((await runBatch(ctx.db, stmts)) as unknown[][])
      : stmts.length
        ? [await (stmts[0] as unknown as Promise<unknown[]>)]
        : []
  let at = lead.length
  const answers = reads.map((r) => {
    const rows = results.slice(at, at + r.stmts.length)
    at += r.stmts.length
    return r.done(rows)
  }) as T
  for (const r of along) {
    r.done(results.slice(at, at + r.stmts.length))
    at += r.stmts.length
  }
  return answers
}

/** One query as a read: its rows as the query gives them. */
export function rowsRead<Q extends BatchItem<'sqlite'> & PromiseLike<unknown>>(q: Q): Read<Awaited<Q>> {
  return { stmts: [q], done: ([rows]) => rows as Awaited<Q> }
}

/** Runs one query through `runReads`, so that it confirms a remembered actor in the same round trip. */
export async function readRows<Q extends BatchItem<'sqlite'> & PromiseLike<unknown>>(
  ctx: Pick<Ctx, 'db' | 'gate' | 'along'>,
  q: Q,
): Promise<Awaited<Q>> {
  return (await runReads(ctx, rowsRead(q)))[0]
}

/**
 * A write that rides in a batch of reads (one round trip for a page that must write, e.g. the
 * labeling queue's reservation). Its WHERE must hold only while the caller, as the database knows
 * them in that same transaction, may make it (their session live, their role allowing it): a batch
 * that confirms a stale actor is thrown away and the request runs again, so the write must be one
 * the fresh actor would make too. The statements after it in the batch see what it wrote.
 */
export function guardedWrite(q: BatchItem<'sqlite'>): Read<void> {
  return { stmts: [q], done: () => undefined }
}
