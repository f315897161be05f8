/**
 * @module Reads that can share one D1 round trip. A read is its statements plus how their rows
 * become its answer; `runReads` sends the statements of several reads as one D1 batch. The
 * dashboard page has five independent reads after loading the project: as separate queries that
 * is five trips to D1 (each a network hop in production, ~2 ms of serialized work on a local D1),
 * as one batch it is one. A batch also reads one consistent snapshot.
 */
import type { BatchItem } from 'drizzle-orm/batch'
import type { Ctx } from '../../env'

export type Read<T> = { stmts: BatchItem<'sqlite'>[]; done: (rows: unknown[][]) => T }

/** Runs the reads' statements in one batch; answers in the order of `reads`. */
export async function runReads<T extends unknown[]>(ctx: Ctx, ...reads: { [K in keyof T]: Read<T[K]> }): Promise<T> {
  const stmts = reads.flatMap((r) => r.stmts)
  // A lone statement goes as a plain query: a batch adds its transaction for nothing.
  const results =
    stmts.length > 1 ? ((await ctx.db.batch(stmts as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]])) as unknown[][]) : stmts.length ? [await (stmts[0] as unknown as Promise<unknown[]>)] : []
  let at = 0
  return reads.map((r) => {
    const rows = results.slice(at, at + r.stmts.length)
    at += r.stmts.length
    return r.done(rows)
  }) as T
}
