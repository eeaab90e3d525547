import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { Semaphore, SemaphoreFullError } from '../../../src/lib/semaphore';

describe('Semaphore', () => {
  it('runs at most `permits` tasks at once, the rest in arrival order', async () => {
    const sut = new Semaphore(2, 10, 5000);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2, 3, 4, 5].map((i) =>
        sut.run(async () => {
          peak = Math.max(peak, ++running);
          await sleep(5);
          order.push(i);
          running--;
        }),
      ),
    );
    expect(peak).to.equal(2);
    expect(order).to.deep.equal([0, 1, 2, 3, 4, 5]);
  });

  it('refuses at once beyond maxWaiting, and a waiter whose wait runs out; a failed task frees its permit', async () => {
    const sut = new Semaphore(1, 1, 30);
    let release!: () => void;
    const blocker = sut.run(() => new Promise<void>((r) => (release = r)));
    const waiter = sut.run(async () => 'late').catch((e: unknown) => e);
    const refused = await sut.run(async () => 'x').catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(SemaphoreFullError);
    expect(await waiter).to.be.instanceOf(SemaphoreFullError);
    release();
    await blocker;
    expect(await sut.run(() => Promise.reject(new Error('boom'))).catch((e: Error) => e.message)).to.equal('boom');
    expect(await sut.run(async () => 'free again')).to.equal('free again');
  });
});
