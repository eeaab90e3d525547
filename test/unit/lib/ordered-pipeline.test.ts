import { expect } from 'chai';
import { orderedPipeline } from '../../../src/lib/ordered-pipeline';

/** A producer whose items finish when the test says, recording how many run and how many wait unconsumed. */
function controlledProducer() {
  const pending = new Map<number, { resolve: (v: number) => void; reject: (e: Error) => void }>();
  const stats = { started: [] as number[], running: 0, maxRunning: 0 };
  const produce = (i: number) =>
    new Promise<number>((resolve, reject) => {
      stats.started.push(i);
      stats.running++;
      stats.maxRunning = Math.max(stats.maxRunning, stats.running);
      const done = () => stats.running--;
      pending.set(i, {
        resolve: (v) => {
          done();
          resolve(v);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
    });
  return { produce, pending, stats };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('orderedPipeline', () => {
  it('consumes in order, one at a time, whatever order the producers finish in', async () => {
    const consumed: number[] = [];
    let consuming = 0;
    await orderedPipeline(
      20,
      { inFlight: 4, ahead: 8 },
      async (i) => {
        await new Promise((resolve) => setTimeout(resolve, (i * 7) % 5));
        return i * 10;
      },
      async (r, i) => {
        expect(consuming, 'consumes overlapping').to.equal(0);
        consuming++;
        await new Promise((resolve) => setTimeout(resolve, i % 3));
        expect(r).to.equal(i * 10);
        consumed.push(i);
        consuming--;
      },
    );
    expect(consumed).to.deep.equal([...Array(20).keys()]);
  });

  it('produces ahead while a consume runs, within the bounds of producers in flight and results held', async () => {
    const { produce, pending, stats } = controlledProducer();
    let releaseConsume!: () => void;
    const consuming = new Promise<void>((resolve) => (releaseConsume = resolve));
    const consumed: number[] = [];
    const run = orderedPipeline(10, { inFlight: 2, ahead: 5 }, produce, async (_r, i) => {
      consumed.push(i);
      if (i === 0) await consuming; // the first consume (a store) is slow
    });
    await tick();
    expect(stats.started).to.deep.equal([0, 1]);
    pending.get(0)!.resolve(0);
    await tick();
    expect(consumed).to.deep.equal([0]);
    // While item 0 is consumed, producing goes on, but never more than 2 at once nor more than 5 unconsumed (1 … 5).
    for (let i = 1; i <= 5; i++) {
      pending.get(i)!.resolve(i);
      await tick();
    }
    expect(stats.started).to.deep.equal([0, 1, 2, 3, 4, 5]);
    expect(stats.maxRunning).to.equal(2);
    expect(consumed).to.deep.equal([0]);
    releaseConsume();
    for (let i = 6; i < 10; i++) {
      await tick();
      pending.get(i)!.resolve(i);
    }
    await run;
    expect(consumed).to.deep.equal([...Array(10).keys()]);
    expect(stats.maxRunning).to.equal(2);
  });

  it('on a failed producer: consumes what comes before it, nothing after, starts nothing more, and throws once the others settle', async () => {
    const { produce, pending, stats } = controlledProducer();
    const consumed: number[] = [];
    let outcome: unknown = 'pending';
    const run = orderedPipeline(10, { inFlight: 3, ahead: 3 }, produce, async (_r, i) => {
      consumed.push(i);
    }).then(
      () => (outcome = 'resolved'),
      (e: Error) => (outcome = e),
    );
    await tick();
    expect(stats.started).to.deep.equal([0, 1, 2]);
    pending.get(1)!.reject(new Error('GetUpdateData failed: other side closed'));
    pending.get(2)!.resolve(2);
    await tick();
    expect(stats.started, 'nothing starts after a failure').to.deep.equal([0, 1, 2]);
    expect(outcome).to.equal('pending');
    pending.get(0)!.resolve(0);
    await run;
    expect(consumed).to.deep.equal([0]);
    expect((outcome as Error).message).to.equal('GetUpdateData failed: other side closed');
  });

  it('on a failed consume: throws it after the producers running have settled, and consumes nothing more', async () => {
    const { produce, pending, stats } = controlledProducer();
    const consumed: number[] = [];
    let outcome: unknown = 'pending';
    const run = orderedPipeline(10, { inFlight: 2, ahead: 4 }, produce, async (_r, i) => {
      consumed.push(i);
      if (i === 0) throw new Error('store failed');
    }).then(
      () => (outcome = 'resolved'),
      (e: Error) => (outcome = e),
    );
    await tick();
    pending.get(0)!.resolve(0);
    await tick();
    expect(stats.started).to.deep.equal([0, 1, 2]);
    pending.get(1)!.reject(new Error('later failure, never seen'));
    await tick();
    expect(outcome, 'waits for item 2 in flight').to.equal('pending');
    pending.get(2)!.resolve(2);
    await run;
    expect((outcome as Error).message).to.equal('store failed');
    expect(consumed).to.deep.equal([0]);
    expect(stats.started).to.deep.equal([0, 1, 2]);
  });

  it('does nothing for no items', async () => {
    let called = false;
    await orderedPipeline(
      0,
      { inFlight: 2, ahead: 2 },
      async () => (called = true),
      async () => undefined,
    );
    expect(called).to.equal(false);
  });
});
