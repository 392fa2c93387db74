/** The snapshot (or a flag) is unusable. The CLI prints the message as one line and exits 2. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
