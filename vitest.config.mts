import path from 'node:path'
import { defineConfig } from 'vitest/config'
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers'

// Tests run inside workerd with real local D1, R2, Queues and Durable Objects (storage isolated
// per test file). Migrations are applied by test/setup/apply-migrations.ts.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations'))
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            // Password hashing is exercised at full strength in its own unit test; elsewhere a
            // low count keeps thousands of generated sign-ins fast.
            PBKDF2_ITERATIONS: '1000',
            // Production setting (https, public targets only) whatever a local .dev.vars says; webhook
            // delivery tests hand the job an env copy that allows the 127.0.0.1 receiver.
            WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false',
          },
        },
      }),
    ],
    test: {
      include: ['test/{unit,integration,workers}/**/*.test.{ts,tsx}'],
      setupFiles: ['./test/setup/apply-migrations.ts'],
      globalSetup: ['./test/setup/webhook-receiver.ts'],
      testTimeout: 30_000,
      hookTimeout: 30_000,
    },
  }
})
