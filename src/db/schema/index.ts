/** @module Every table, for drizzle-kit and for typed queries. */
export * from './orgs'
export * from './auth'
export * from './members'
export * from './projects'
export * from './datasets'
export * from './tasks'
export * from './labels'
