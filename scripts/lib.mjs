// Helpers shared by start, e2e and bench scripts: run wrangler, wait for the server, stop it.
import { spawn, spawnSync } from 'node:child_process'

export const wranglerBin = 'node_modules/.bin/wrangler'
export const quietEnv = { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_UPDATE_NOTIFIER: '1', CI: process.env.CI ?? '' }

/** Applies migrations/ to the local D1 in `persistTo` (wrangler's default state when undefined). */
export function migrateLocal(persistTo) {
  const args = ['d1', 'migrations', 'apply', 'DB', '--local', ...(persistTo ? ['--persist-to', persistTo] : [])]
  const r = spawnSync(wranglerBin, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: quietEnv,
    encoding: 'utf8',
    // Generous: on a machine shared with other runs, applying the migrations has taken over 2 minutes.
    timeout: 300_000,
    killSignal: 'SIGKILL',
  })
  if (r.status !== 0) {
    process.stderr.write((r.stdout ?? '') + (r.stderr ?? ''))
    throw new Error(`applying migrations failed${r.error ? ` (${r.error.message})` : ''}`)
  }
}

/** Starts `wrangler dev` and resolves once /healthz answers. */
export async function startDev({ port = 8787, persistTo, logLevel = 'info', vars = {}, inherit = false, script } = {}) {
  // A server left over on this port would answer our readiness check with old code and state.
  const stale = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
    () => true,
    () => false,
  )
  if (stale) throw new Error(`port ${port} is already in use (a wrangler dev still running?); stop it and try again`)
  // `script`: another entry than wrangler.toml's `main`, with the same bindings (bench/raw-export-worker.ts).
  const args = [
    'dev',
    ...(script ? [script] : []),
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--test-scheduled',
    '--log-level',
    logLevel,
    ...(persistTo ? ['--persist-to', persistTo] : []),
  ]
  // Local servers speak plain http: no `Secure` session cookie (deployments keep wrangler.toml's "true").
  for (const [k, v] of Object.entries({ SECURE_COOKIES: 'false', ...vars })) args.push('--var', `${k}:${v}`)
  const child = spawn(wranglerBin, args, {
    stdio: inherit ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
    env: quietEnv,
    detached: process.platform !== 'win32',
  })
  let log = ''
  child.stdout?.on('data', (d) => (log += d))
  child.stderr?.on('data', (d) => (log += d))
  const base = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${log}`)
    try {
      const r = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) })
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
    try {
      child.kill('SIGTERM')
    } catch {}
  }
}

/** `stopDev`, then waits for the exit; SIGKILLs the whole process group if it lingers. */
export async function stopDevAndWait(child, graceMs = 10_000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  stopDev(child)
  let timer
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve('late'), graceMs)
  })
  if ((await Promise.race([exited, late])) === 'late') {
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {
      try {
        child.kill('SIGKILL')
      } catch {}
    }
  }
  clearTimeout(timer)
}

/**
 * A local AWS emulator (moto_server: STS and S3) for IAM delegated access, so tests and local
 * development never talk to the real AWS. Reuses one already listening on the port; otherwise starts
 * one and returns how to stop it. Resolves to null when moto_server is not installed and `required`
 * is false (npm start then runs without it and the Integrations page says AWS is unreachable).
 */
export async function ensureMoto({ port = Number(process.env.MOTO_PORT ?? 5055), required = true } = {}) {
  const endpoint = `http://127.0.0.1:${port}`
  const up = () =>
    fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    )
  if (await up()) return { endpoint, stop: () => {} }
  const probe = spawnSync('moto_server', ['--help'], { stdio: 'ignore' })
  if (probe.error) {
    if (!required) return null
    throw new Error('moto_server is not installed (pip install "moto[server]"); the AWS integration tests need it')
  }
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: process.platform !== 'win32',
  })
  let log = ''
  child.stderr.on('data', (d) => {
    log = (log + d).slice(-4000)
  })
  const stop = () => stopDev(child)
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) break
    if (await up()) return { endpoint, stop }
    await new Promise((r) => setTimeout(r, 100))
  }
  stop()
  throw new Error(`moto_server did not start on ${endpoint}:\n${log}`)
}

/** Worker variables that point delegated access at a local emulator (never real credentials). */
export const motoVars = (endpoint) => ({
  AWS_ENDPOINT_URL: endpoint,
  AWS_ACCESS_KEY_ID: 'local-emulator',
  AWS_SECRET_ACCESS_KEY: 'local-emulator',
  AWS_REGION: 'us-east-1',
  PLATFORM_AWS_ACCOUNT_ID: '123456789012',
})
