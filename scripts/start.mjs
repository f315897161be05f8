// `npm start`: migrate the local D1, serve the dashboard with wrangler dev (local D1, R2, Queues,
// Durable Objects and cron), seed the demo organization (idempotent) and print its login.
// `PORT=8788 npm start` serves on another port than 8787 (for people who already use it).
import { copyFileSync, existsSync } from 'node:fs'
import { ensureMoto, migrateLocal, motoVars, startDev, stopDev } from './lib.mjs'
import { seed } from './seed.mjs'

const port = Number(process.env.PORT || 8787)
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`LabelDesk: PORT=${process.env.PORT} is not a port number (1-65535)`)
  process.exit(1)
}

if (!existsSync('.dev.vars') && existsSync('.dev.vars.example')) copyFileSync('.dev.vars.example', '.dev.vars')

console.log('LabelDesk: applying migrations to the local D1…')
migrateLocal()
// AWS delegated access runs against a local emulator when moto_server is installed, so the
// Integrations page works end to end without an AWS account. Real AWS: see the README.
const moto = await ensureMoto({ required: false }).catch((e) => (console.warn(`LabelDesk: ${e.message}`), null))
console.log('LabelDesk: starting wrangler dev…')
const dev = await startDev({ port, inherit: true, vars: moto ? motoVars(moto.endpoint) : {} }).catch((e) => {
  console.error(`LabelDesk: ${e.message}`)
  if (/already in use/.test(e.message)) console.error(`LabelDesk: or pick another port: PORT=${port + 1} npm start`)
  moto?.stop()
  process.exit(1)
})
// wrangler dev never fires cron triggers by itself: fire the every-minute one (stuck-task revival,
// src/handlers/scheduled.ts) as Cloudflare would, so a task whose server was killed resumes here too.
const minute = setInterval(
  () =>
    fetch(`${dev.base}/__scheduled?cron=${encodeURIComponent('* * * * *')}`).then(
      (r) => r.arrayBuffer(),
      () => {},
    ),
  60_000,
)
const stop = () => {
  clearInterval(minute)
  stopDev(dev.child)
  moto?.stop()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)

try {
  const login = await seed(dev.base)
  console.log(`
  ┌──────────────────────────────────────────────────────────────┐
    LabelDesk is running at ${dev.base}
    Demo organization: ${login.org}
    Log in as admin:   ${login.email}
    Password:          ${login.password}
    Other demo logins (same password): ${login.others.join(', ')}
    Run the cron locally: curl '${dev.base}/__scheduled?cron=*/15+*+*+*+*'
    AWS integrations: ${moto ? `local emulator at ${moto.endpoint} (moto_server)` : 'no emulator (moto_server not installed)'}
  └──────────────────────────────────────────────────────────────┘
`)
} catch (e) {
  console.error('LabelDesk: seeding failed:', e)
}
await new Promise((resolve) => dev.child.on('exit', resolve))
