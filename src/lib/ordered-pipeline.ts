/** How far an ordered pipeline may run ahead of its consumer. */
export interface PipelineBounds {
  /** Producers running at once. */
  inFlight: number;
  /** Items produced or being produced and not handed to the consumer yet (at least inFlight); it bounds the memory held. */
  ahead: number;
}

/**
 * orderedPipeline produces items 0 … count−1 concurrently within `bounds` and consumes their results strictly
 * in order, one consume at a time, while later items are produced. When a producer or the consumer fails,
 * nothing more starts, nothing after the failed item is consumed, and once the producers running have settled
 * the first failure in order is thrown; no rejection goes unhandled.
 */
export async function orderedPipeline<R>(
  count: number,
  bounds: PipelineBounds,
  produce: (index: number) => Promise<R>,
  consume: (result: R, index: number) => Promise<void>,
): Promise<void> {
  const inFlight = Math.max(1, bounds.inFlight);
  const ahead = Math.max(inFlight, bounds.ahead);
  /** Items started and not consumed yet, in order: the head is item `consumed`. */
  const queue: Array<Promise<R>> = [];
  let next = 0;
  let consumed = 0;
  let running = 0;
  let failed = false;
  const launch = (): void => {
    while (!failed && next < count && running < inFlight && next - consumed < ahead) {
      running++;
      const result = Promise.resolve(next++).then(produce);
      const settled = (): void => {
        running--;
        launch();
      };
      result.then(settled, () => {
        failed = true; // stop starting work; the failure is thrown when the consumer reaches this item
        settled();
      });
      queue.push(result);
    }
  };
  launch();
  try {
    for (let index = 0; index < count; index++) {
      const result = await queue.shift()!;
      consumed++;
      launch();
      await consume(result, index);
    }
  } catch (err) {
    failed = true;
    await Promise.allSettled(queue);
    throw err;
  }
}
