// A real AWS emulator for the integration tests: `moto_server` (Python moto) serving STS and S3 on
// 127.0.0.1. The Worker's AWS_ENDPOINT_URL points at it (vitest.config.mts). One already listening
// on the port (started by .ci/run, or by you) is reused; otherwise it is started here and stopped
// after the run. Nothing ever talks to the real AWS.
// @ts-expect-error plain ESM helper shared with the scripts
import { ensureMoto } from '../../scripts/lib.mjs'

export default async function setup() {
  const moto = (await ensureMoto()) as { stop: () => void }
  return async () => moto.stop()
}
