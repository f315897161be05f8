/** @module Which ontology features labels use (from the exact feature counts), so a project edit
 * never orphans annotations. */
import { and, eq, inArray, or, sql } from 'drizzle-orm'
import { projectFeatureCounts } from '../../db/schema'
import type { Ctx } from '../../env'

export const featuresInUse =
  (ctx: Ctx) =>
  async (projectId: string, ids: string[]): Promise<{ id: string; count: number }[]> => {
    const used = new Map<string, number>()
    for (let i = 0; i < ids.length; i += 45) {
      const part = ids.slice(i, i + 45)
      const rows = await ctx.db
        .select({
          fs: projectFeatureCounts.featureSchemaId,
          answer: projectFeatureCounts.answerSchemaId,
          n: sql<number>`sum(${projectFeatureCounts.count})`,
        })
        .from(projectFeatureCounts)
        .where(
          and(
            eq(projectFeatureCounts.projectId, projectId),
            or(inArray(projectFeatureCounts.featureSchemaId, part), inArray(projectFeatureCounts.answerSchemaId, part)),
          ),
        )
        .groupBy(projectFeatureCounts.featureSchemaId, projectFeatureCounts.answerSchemaId)
      for (const r of rows) {
        if (Number(r.n) <= 0) continue
        for (const id of [r.fs, r.answer]) if (part.includes(id)) used.set(id, (used.get(id) ?? 0) + Number(r.n))
      }
    }
    return [...used].map(([id, count]) => ({ id, count }))
  }
