import type { D1Migration } from 'cloudflare:test'
import type { Env as Bindings } from '../src/env'

declare global {
  namespace Cloudflare {
    interface GlobalProps {
      mainModule: typeof import('../src/index')
      durableNamespaces: 'TaskStatus'
    }
    interface Env extends Bindings {
      TEST_MIGRATIONS: D1Migration[]
    }
  }
}
