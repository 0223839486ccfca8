/**
 * Runs jobs one after another in the order they were asked for. Edits of a wall are sent
 * this way so that a key pressed while an edit is on its way (undo right after a split)
 * waits for that edit instead of being dropped or racing it.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;

  constructor(private readonly onBusyChange: (busy: boolean) => void = () => {}) {}

  /** How many jobs are queued or running. */
  get size(): number {
    return this.waiting;
  }

  /** Queues a job; it starts when every job queued before it has settled, failed ones included. */
  run<T>(job: () => Promise<T>): Promise<T> {
    if (this.waiting++ === 0) this.onBusyChange(true);
    const result = this.tail.then(job);
    this.tail = result.then(
      () => this.settle(),
      () => this.settle(),
    );
    return result;
  }

  private settle(): void {
    if (--this.waiting === 0) this.onBusyChange(false);
  }
}
