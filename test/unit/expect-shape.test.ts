// The check the API tests run on answers (test/helpers/schema.ts) must refuse what does not match.
import { describe, expect, it } from 'vitest'
import * as v from 'valibot'
import { expectPage, expectShape } from '../helpers/schema'

const Thing = v.object({ id: v.string(), size: v.number(), note: v.optional(v.string()) })

describe('expectShape', () => {
  it('passes an answer that matches, optional fields left out', () => {
    expect(expectShape(Thing, { id: 'a', size: 1 })).toEqual({ id: 'a', size: 1 })
    expectPage(Thing, { items: [{ id: 'a', size: 1, note: 'n' }], next_cursor: null })
  })

  it('fails on a missing field, a wrong type, and a field the schema does not document', () => {
    expect(() => expectShape(Thing, { id: 'a' })).toThrow(/size/)
    expect(() => expectShape(Thing, { id: 'a', size: '1' })).toThrow(/size/)
    expect(() => expectShape(Thing, { id: 'a', size: 1, secret: 'x' })).toThrow(/does not document/)
    expect(() => expectPage(Thing, { items: [{ id: 1, size: 1 }], next_cursor: null })).toThrow(/items\.0\.id/)
  })
})
