// After every test: end what its requests left running (unread response bodies, waitUntil work),
// so nothing is still talking to storage when the next test starts or the file is torn down.
import { afterEach } from 'vitest'
import { settleRequests } from '../helpers/harness'

afterEach(async () => {
  await settleRequests()
})
