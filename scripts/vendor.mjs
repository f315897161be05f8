// Copies browser files out of pinned npm packages into public/vendor/ (gitignored), so the
// Worker serves htmx and the API docs UI itself: no CDN anywhere.
import { cpSync, mkdirSync, existsSync } from 'node:fs'

const copies = [
  ['node_modules/htmx.org/dist/htmx.min.js', 'public/vendor/htmx.min.js'],
  ['node_modules/htmx.org/dist/ext/hx-sse.min.js', 'public/vendor/hx-sse.min.js'],
  ['node_modules/swagger-ui-dist/swagger-ui-bundle.js', 'public/vendor/swagger-ui/swagger-ui-bundle.js'],
  ['node_modules/swagger-ui-dist/swagger-ui.css', 'public/vendor/swagger-ui/swagger-ui.css'],
]
mkdirSync('public/vendor/swagger-ui', { recursive: true })
for (const [from, to] of copies) {
  if (!existsSync(from)) {
    console.warn(`vendor: ${from} is missing (dev dependencies not installed?)`)
    continue
  }
  cpSync(from, to)
}
