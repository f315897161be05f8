/** @module Which ontology features labels use, so a project edit never orphans annotations.
 * Until the labels module lands there are no annotations, so nothing is in use. */
import type { Ctx } from '../../env'

export const featuresInUse = (_ctx: Ctx) => async (_projectId: string, _ids: string[]): Promise<{ id: string; count: number }[]> => []
