import { clearMatrix } from '../../helpers/lab/matrix.js';

/** Global setup: a matrix must only show this run's rows. */
export default async function globalSetup(): Promise<void> {
  await clearMatrix();
}
