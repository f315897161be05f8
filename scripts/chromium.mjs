// Debian's Chromium for the browser tests (never a downloaded browser, never `playwright install`):
// found where Debian puts it, or installed with apt-get when this user may, or one clear message and
// a non-zero exit. `npm test` runs this first, so a missing browser fails in seconds, not after the
// worker tests. Run directly: `node scripts/chromium.mjs`.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

const DEBIAN_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser']

/** The Chromium to drive: CHROMIUM_PATH when set, else Debian's; null when there is none. */
export function findChromium() {
  if (process.env.CHROMIUM_PATH) return existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : null
  return DEBIAN_PATHS.find((p) => existsSync(p)) ?? null
}

function cannot(why) {
  console.error(`\nLabelDesk tests: the browser tests need Chromium and ${why}.
  Install Debian's package and run the tests again:  sudo apt-get install -y chromium
  (or point CHROMIUM_PATH at a Chromium binary).\n`)
  process.exit(1)
}

/** Returns the Chromium path, installing Debian's `chromium` first when it is missing and we can. */
export function ensureChromium() {
  const found = findChromium()
  if (found) return found
  if (process.env.CHROMIUM_PATH) cannot(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist`)
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0
  if (!hasApt) cannot('it is not installed (and this machine has no apt-get to install it)')
  if (process.getuid?.() !== 0) cannot('it is not installed (installing it needs root)')
  console.log("LabelDesk tests: Chromium is missing; installing Debian's chromium with apt-get (once)…")
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const run = (args) => spawnSync('apt-get', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15 * 60_000 })
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'chromium'],
  ]) {
    const r = run(args)
    if (r.status !== 0) {
      process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').slice(-15).join('\n'))
      cannot(`\`apt-get ${args.join(' ')}\` failed${r.error ? ` (${r.error.message})` : ''}`)
    }
  }
  const installed = findChromium()
  if (!installed) cannot('apt-get installed `chromium` but no binary is at /usr/bin/chromium')
  console.log(`LabelDesk tests: installed ${installed}`)
  return installed
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) ensureChromium()
