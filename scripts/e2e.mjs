// Browser tests: Debian's Chromium (installed first when missing and we can), a fresh local state,
// wrangler dev on its own port, then node's test runner over test/e2e/*.test.mjs driving Chromium
// through playwright-core. Never hangs: every test has a timeout, the whole run has one
// (E2E_TIMEOUT_S, 15 min), and the wrangler dev started here is stopped on every way out.
import { rmSync, mkdirSync, readdirSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { ensureChromium } from './chromium.mjs'
import { ensureMoto, migrateLocal, motoVars, startDev, stopDevAndWait } from './lib.mjs'

// The accessibility walk (test/e2e/a11y.test.mjs) seeds the demo and checks 96 page views: ~130 s on
// a quiet machine, so a file may take up to 6 minutes before it counts as hung.
const TEST_TIMEOUT_MS = 360_000
const RUN_TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_S ?? 900) * 1000

const chromiumPath = ensureChromium()

// E2E_STATE / E2E_PORT and file arguments let one person run a single file beside another run:
// `node scripts/e2e.mjs test/e2e/usage.test.mjs`.
const state = process.env.E2E_STATE ?? '.e2e-state'
rmSync(state, { recursive: true, force: true })
mkdirSync('test/e2e/screenshots', { recursive: true })
migrateLocal(state)
const moto = await ensureMoto()

let dev
let runner
let stopping
/** Stops what this script started (test runner, wrangler dev, moto), once, whatever the way out. */
function cleanup() {
  stopping ??= (async () => {
    if (runner && runner.exitCode === null && runner.signalCode === null) await stopDevAndWait(runner, 5_000)
    if (dev) await stopDevAndWait(dev.child)
    moto.stop()
  })()
  return stopping
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`\ne2e: ${signal}, stopping wrangler dev and the browser tests`)
    cleanup().finally(() => process.exit(130))
  })
}

let status = 1
try {
  dev = await startDev({
    port: Number(process.env.E2E_PORT ?? 8799),
    persistTo: state,
    logLevel: 'warn',
    vars: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', ...motoVars(moto.endpoint) },
  })
  const picked = process.argv.slice(2)
  const files = picked.length
    ? picked
    : readdirSync('test/e2e')
        .filter((f) => f.endsWith('.test.mjs'))
        .sort()
        .map((f) => `test/e2e/${f}`)
  // --test-force-exit: a handle a failed test left open (a server, a browser) cannot keep its file
  // running after its tests have ended.
  const args = ['--test', '--test-concurrency=1', `--test-timeout=${TEST_TIMEOUT_MS}`, '--test-force-exit', ...files]
  runner = spawn(process.execPath, args, {
    stdio: 'inherit',
    env: { ...process.env, E2E_BASE: dev.base, E2E_AWS_ENDPOINT: moto.endpoint, CHROMIUM_PATH: chromiumPath },
    detached: process.platform !== 'win32',
  })
  let timer
  const overtime = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), RUN_TIMEOUT_MS)
  })
  const exited = new Promise((resolve) => runner.once('exit', (code) => resolve(code ?? 1)))
  const r = await Promise.race([exited, overtime])
  clearTimeout(timer)
  if (r === 'timeout') {
    console.error(`\ne2e: the browser tests did not finish within ${RUN_TIMEOUT_MS / 1000} s (E2E_TIMEOUT_S); stopping them`)
    status = 1
  } else {
    status = r
  }
  if (status !== 0) console.error(dev.log().split('\n').slice(-60).join('\n'))
} catch (e) {
  console.error(`e2e: ${e?.message ?? e}`)
  status = 1
} finally {
  await cleanup()
}
process.exit(status)
