// Helpers shared by start, e2e and bench scripts: run wrangler, wait for the server, stop it.
import { spawn, spawnSync } from 'node:child_process'

export const wranglerBin = 'node_modules/.bin/wrangler'
export const quietEnv = { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_UPDATE_NOTIFIER: '1', CI: process.env.CI ?? '' }

/** Applies migrations/ to the local D1 in `persistTo` (wrangler's default state when undefined). */
export function migrateLocal(persistTo) {
  const args = ['d1', 'migrations', 'apply', 'DB', '--local', ...(persistTo ? ['--persist-to', persistTo] : [])]
  const r = spawnSync(wranglerBin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: quietEnv, encoding: 'utf8' })
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr)
    throw new Error('applying migrations failed')
  }
}

/** Starts `wrangler dev` and resolves once /healthz answers. */
export async function startDev({ port = 8787, persistTo, logLevel = 'info', vars = {}, inherit = false } = {}) {
  // A server left over on this port would answer our readiness check with old code and state.
  const stale = await fetch(`http://127.0.0.1:${port}/healthz`).then(() => true, () => false)
  if (stale) throw new Error(`port ${port} is already in use (a wrangler dev still running?); stop it and try again`)
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--test-scheduled', '--log-level', logLevel, ...(persistTo ? ['--persist-to', persistTo] : [])]
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`)
  const child = spawn(wranglerBin, args, { stdio: inherit ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'], env: quietEnv, detached: process.platform !== 'win32' })
  let log = ''
  child.stdout?.on('data', (d) => (log += d))
  child.stderr?.on('data', (d) => (log += d))
  const base = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${log}`)
    try {
      const r = await fetch(`${base}/healthz`)
      if (r.ok) return { base, child, log: () => log }
    } catch {}
    await new Promise((r) => setTimeout(r, 300))
  }
  stopDev(child)
  throw new Error(`wrangler dev did not become ready:\n${log}`)
}

export function stopDev(child) {
  try {
    process.kill(-child.pid, 'SIGTERM')
  } catch {
    try { child.kill('SIGTERM') } catch {}
  }
}
