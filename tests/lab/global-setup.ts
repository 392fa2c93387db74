import { RUN_ENV } from '../../helpers/lab/cleanup.js';
import { clearMatrix } from '../../helpers/lab/matrix.js';

/**
 * Global setup: a matrix must only show this run's rows, and every lab process of this run carries the run's id
 * in its environment (workers inherit it), so the global teardown removes only what this run left.
 */
export default async function globalSetup(): Promise<void> {
  process.env[RUN_ENV] ??= String(process.pid);
  await clearMatrix();
}
