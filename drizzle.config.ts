import { defineConfig } from 'drizzle-kit'

// `npm run db:generate -- --name <what>` writes migrations/NNNN_<what>.sql from src/db/schema.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema/index.ts',
  out: './migrations',
  casing: 'snake_case',
})
