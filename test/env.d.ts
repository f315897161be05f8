import type { D1Migration } from 'cloudflare:test'
import type { Env } from '../src/env'

declare global {
  namespace Cloudflare {
    interface GlobalProps {
      mainModule: typeof import('../src/index')
      durableNamespaces: 'TaskStatus'
    }
    interface Env extends import('../src/env').Env {
      TEST_MIGRATIONS: D1Migration[]
    }
  }
}
export type { Env }
