import { cleanupLabLeftovers, RUN_ENV } from '../../helpers/lab/cleanup.js';
import { clearMatrix } from '../../helpers/lab/matrix.js';

/**
 * Global setup: a matrix must only show this run's rows, and every lab process of this run carries the run's id
 * in its environment (workers inherit it), so cleanup removes only this run's leftovers and those of runs whose
 * runner is gone. A run killed with SIGKILL never reached its teardown: its UML guest is removed here.
 */
export default async function globalSetup(): Promise<void> {
  process.env[RUN_ENV] ??= String(process.pid);
  const removed = await cleanupLabLeftovers();
  if (removed.length > 0) console.log(`lab cleanup removed what an earlier, killed run left: ${removed.join(', ')}`);
  await clearMatrix();
}
