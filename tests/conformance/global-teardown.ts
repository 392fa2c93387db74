// Runs even after Ctrl-C or a crashed worker; a second call after the teardown project is a no-op.
import { cleanupRun } from '../../helpers/kind/cleanup.js';
import { readSettings } from '../../helpers/kind/settings.js';

export default async function globalTeardown(): Promise<void> {
  try {
    for (const line of (await cleanupRun(readSettings())).lines) console.log(`[cleanup] ${line}`);
  } catch (e) {
    console.error(`[cleanup] ${(e as Error).message.split('\n')[0]}`);
  }
}
