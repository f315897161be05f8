import path from 'node:path'
import { defineConfig } from 'vitest/config'
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers'

// Tests run inside workerd with real local D1, R2, Queues and Durable Objects (storage isolated
// per test file). Migrations are applied by test/setup/apply-migrations.ts.
const SHARED = [
  'test/unit/**/*.test.{ts,tsx}',
  ...[
    'api',
    'api-keys.api',
    'auth.web',
    'datasets.api',
    'labeling.web',
    'labels.api',
    'members.api',
    'members.web',
    'project-uploads.web',
    'projects.api',
    'projects.web',
    'security',
    'uploads.api',
    'permissions',
    'permissions.labels',
    'permissions.projects',
    'permissions.integrations',
  ].map((f) => `test/integration/${f}.test.ts`),
]

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations'))
  return {
    plugins: [
      // A function, so the bindings can name the port the webhook receiver (globalSetup) listens on.
      cloudflareTest(({ inject }) => ({
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
            // The Worker's own DNS check never leaves this machine: the test receiver's DNS-over-HTTPS
            // endpoint answers from a fixed table (test/setup/webhook-receiver.ts), so names like
            // hooks.example.com have no address (creation accepts, delivery retries). Not a closed
            // port: workerd prints every refused connection as an uncaught exception, even a caught one.
            WEBHOOK_DNS_RESOLVER: `http://127.0.0.1:${inject('receiverPort')}/dns-query`,
            // AWS delegated access against moto_server (test/setup/moto.ts), never the real AWS.
            AWS_ACCESS_KEY_ID: 'testing',
            AWS_SECRET_ACCESS_KEY: 'testing',
            AWS_REGION: 'us-east-1',
            PLATFORM_AWS_ACCOUNT_ID: '123456789012',
            AWS_ENDPOINT_URL: `http://127.0.0.1:${process.env.MOTO_PORT ?? 5055}`,
            // Signed asset links in exports (src/modules/datasets/asset-urls.ts); links use the request's origin.
            ASSET_URL_SECRET: 'test-asset-url-secret',
            PUBLIC_URL: '',
            COST_METER: 'header',
            // wrangler.toml's (production) value, whatever a local .dev.vars says: `npm start` writes
            // one with "false" (plain http), and `npm test` after it must test what is deployed.
            SECURE_COOKIES: 'true',
          },
        },
      })),
    ],
    test: {
      projects: [
        // Files that only make requests and read the database they wrote share one workerd per
        // worker (no per-file start-up and module loading, most of a small file's time). They use
        // fresh organizations with unique names and never run anything across organizations.
        { extends: true as const, test: { name: 'shared', include: SHARED, isolate: false } },
        // Everything that runs tasks, queues, Durable Objects or cron-wide jobs gets its own
        // storage: the pool wraps the entrypoint and Durable Object classes in one more Proxy per
        // instance (see test/helpers/harness.ts), which adds up over a run, and cron-wide jobs
        // (webhook dispatch, rollups) would see other files' rows.
        {
          extends: true as const,
          test: { name: 'isolated', include: ['test/{unit,integration,workers}/**/*.test.{ts,tsx}'], exclude: SHARED },
        },
      ],
      setupFiles: ['./test/setup/apply-migrations.ts', './test/setup/settle.ts'],
      globalSetup: ['./test/setup/webhook-receiver.ts', './test/setup/moto.ts'],
      testTimeout: 30_000,
      hookTimeout: 30_000,
      // Files run two at a time, each in its own workerd with its own storage: most of a file's time
      // is starting workerd and loading the Worker, which the other file's tests overlap.
      maxWorkers: 2,
      // A passing test's console output (invitation links and the like) is noise; a failing test's
      // is shown with its error.
      silent: 'passed-only' as const,
    },
  }
})
