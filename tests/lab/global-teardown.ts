import { cleanupLabLeftovers } from '../../helpers/lab/cleanup.js';

/** Runs after every `npm test`, also after Ctrl-C, when a worker may have died before its own cleanup. */
export default async function globalTeardown(): Promise<void> {
  const removed = await cleanupLabLeftovers();
  if (removed.length > 0) console.log(`lab cleanup removed what an interrupted run left: ${removed.join(', ')}`);
}
