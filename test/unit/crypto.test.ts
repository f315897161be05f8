import { describe, expect, it } from 'vitest'
import { hashPassword, MAX_PBKDF2_ITERATIONS, verifyPassword } from '../../src/lib/crypto'

describe('passwords', () => {
  it('hashes with PBKDF2-SHA256 at the production count, with a per-user salt', async () => {
    const a = await hashPassword('correct horse battery', MAX_PBKDF2_ITERATIONS)
    const b = await hashPassword('correct horse battery', MAX_PBKDF2_ITERATIONS)
    expect(a).toMatch(/^pbkdf2_sha256\$100000\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/)
    expect(a).not.toBe(b)
    expect(await verifyPassword('correct horse battery', a)).toBe(true)
    expect(await verifyPassword('wrong horse battery', a)).toBe(false)
    expect(await verifyPassword('x', 'garbage')).toBe(false)
  })
  it('refuses iteration counts that production Workers would reject', async () => {
    await expect(hashPassword('x', MAX_PBKDF2_ITERATIONS + 1)).rejects.toThrow(RangeError)
    await expect(verifyPassword('x', 'pbkdf2_sha256$600000$AAAA$AAAA')).rejects.toThrow(RangeError)
  })
})
