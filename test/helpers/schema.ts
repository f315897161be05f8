// Checks API answers against the one valibot schema that documents each shape (the routers' OpenAPI
// and the services' TS types come from the same schema, in src/modules/*/schemas.ts): every field
// the schema names is there with its type, and the answer has no field the schema does not name.
import * as v from 'valibot'
import { expect } from 'vitest'
import { listOf } from '../../src/lib/openapi'

/** The answer, typed, when it matches `schema`; a failed expectation naming each mismatch when not. */
export function expectShape<S extends v.GenericSchema>(schema: S, body: unknown): v.InferOutput<S> {
  const r = v.safeParse(schema, body)
  if (!r.success) {
    const issues = r.issues.map((i) => `${v.getDotPath(i) ?? '(answer)'}: ${i.message}`)
    expect.fail(`the answer does not match its schema:\n  ${issues.join('\n  ')}\n${JSON.stringify(body).slice(0, 1000)}`)
  }
  // Objects parse to only the keys their schema names: a field the schema does not document shows
  // up as a difference here.
  expect(r.output, 'the answer has fields its schema does not document').toEqual(body)
  return r.output
}

/** A `{ items, next_cursor }` page whose items match `item`. */
export const expectPage = <S extends v.GenericSchema>(item: S, body: unknown) => expectShape(listOf(item), body)
