// `npm start`: migrate the local D1, serve the dashboard with wrangler dev (local D1, R2, Queues,
// Durable Objects and cron), seed the demo organization (idempotent) and print its login.
import { copyFileSync, existsSync } from 'node:fs'
import { migrateLocal, startDev, stopDev } from './lib.mjs'
import { seed } from './seed.mjs'

if (!existsSync('.dev.vars') && existsSync('.dev.vars.example')) copyFileSync('.dev.vars.example', '.dev.vars')

console.log('LabelDesk: applying migrations to the local D1…')
migrateLocal()
console.log('LabelDesk: starting wrangler dev…')
const dev = await startDev({ inherit: true })
const stop = () => { stopDev(dev.child); process.exit(0) }
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
  └──────────────────────────────────────────────────────────────┘
`)
} catch (e) {
  console.error('LabelDesk: seeding failed:', e)
}
await new Promise((resolve) => dev.child.on('exit', resolve))
