/** @module The pickers of views/ list values in their own words, typed by src's unions (views
 * import nothing from src at run time): here each list is held against the one src validates. */
import { describe, expect, it } from 'vitest'
import { CLASSIFICATION_TYPES, TOOL_KINDS } from '../../src/modules/projects/ontology'
import { ORG_ROLES } from '../../src/db/schema/columns'
import { TOOL_CHOICES, TYPE_CHOICES } from '../../views/projects/ontology-editor'
import { ROLE_CHOICES } from '../../views/components/ui'
import { EXPORT_FORMATS, FORMAT_INFO } from '../../src/modules/exports/schemas'
import { FORMAT_CHOICES, FORMAT_WORDS } from '../../views/exports/formats'

describe('lists the views pick from', () => {
  it('are the lists src validates, in the same order', () => {
    expect(TOOL_CHOICES).toEqual([...TOOL_KINDS])
    expect(TYPE_CHOICES).toEqual([...CLASSIFICATION_TYPES])
    expect(ROLE_CHOICES).toEqual([...ORG_ROLES])
    expect(FORMAT_CHOICES).toEqual([...EXPORT_FORMATS])
    for (const f of EXPORT_FORMATS) expect(FORMAT_WORDS[f].imageProjectsOnly).toBe(FORMAT_INFO[f].imagesOnly)
  })
})
