/** @module Many rows as few bound parameters: each statement reads its rows from one JSON array
 * parameter with json_each, instead of binding values one by one (D1 binds at most 100 values a
 * statement, and each statement of a batch counts against its 1,000 queries per invocation). */

/** How many characters one JSON parameter may hold: D1 caps a bound value at 2 MB, and a
 * character may take 3 bytes in UTF-8. */
export const JSON_PARAM_CHARS = 600_000

/**
 * `items` as JSON arrays (`toJson` makes each element), cut so that each holds at most `maxItems`
 * items and JSON_PARAM_CHARS characters; an item bigger than that goes alone. `part` are the items
 * of each `payload`, in order.
 */
export function jsonParams<T>(items: T[], toJson: (item: T) => string, maxItems = Infinity): { part: T[]; payload: string }[] {
  const out: { part: T[]; payload: string }[] = []
  let part: T[] = []
  let texts: string[] = []
  let chars = 2
  for (const item of items) {
    const text = toJson(item)
    if (part.length && (part.length >= maxItems || chars + text.length + 1 > JSON_PARAM_CHARS)) {
      out.push({ part, payload: `[${texts.join(',')}]` })
      part = []
      texts = []
      chars = 2
    }
    part.push(item)
    texts.push(text)
    chars += text.length + 1
  }
  if (part.length) out.push({ part, payload: `[${texts.join(',')}]` })
  return out
}
