/** @module Account inputs. */
import * as v from 'valibot'
import { FullName } from '../../lib/validate'

export const UpdateMeInput = v.object({ full_name: FullName })
export type UpdateMeInput = v.InferOutput<typeof UpdateMeInput>

export const MeView = v.object({
  user: v.object({ id: v.string(), email: v.string(), full_name: v.string() }),
  organization: v.object({ id: v.string(), name: v.string() }),
  role: v.string(),
})
