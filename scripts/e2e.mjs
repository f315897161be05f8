// Browser tests: a fresh local state, wrangler dev on its own port, then node's test runner over
// test/e2e/*.test.mjs driving Debian's Chromium through playwright-core.
import { rmSync, mkdirSync, readdirSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { ensureMoto, migrateLocal, motoVars, startDev, stopDev } from './lib.mjs'

// E2E_STATE / E2E_PORT and file arguments let one person run a single file beside another run:
// `node scripts/e2e.mjs test/e2e/usage.test.mjs`.
const state = process.env.E2E_STATE ?? '.e2e-state'
rmSync(state, { recursive: true, force: true })
mkdirSync('test/e2e/screenshots', { recursive: true })
migrateLocal(state)
const moto = await ensureMoto()
const dev = await startDev({ port: Number(process.env.E2E_PORT ?? 8799), persistTo: state, logLevel: 'warn', vars: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', ...motoVars(moto.endpoint) } })
let status = 1
try {
  const picked = process.argv.slice(2)
  const files = picked.length ? picked : readdirSync('test/e2e').filter((f) => f.endsWith('.test.mjs')).map((f) => `test/e2e/${f}`)
  const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], { stdio: 'inherit', env: { ...process.env, E2E_BASE: dev.base, E2E_AWS_ENDPOINT: moto.endpoint } })
  status = r.status ?? 1
  if (status !== 0) console.error(dev.log().split('\n').slice(-60).join('\n'))
} finally {
  stopDev(dev.child)
  moto.stop()
}
process.exit(status)
