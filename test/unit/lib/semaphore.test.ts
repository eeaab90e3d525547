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
    expect((refused as SemaphoreFullError).reason).to.equal('full');
    const timedOut = await waiter;
    expect(timedOut).to.be.instanceOf(SemaphoreFullError);
    expect((timedOut as SemaphoreFullError).reason).to.equal('timeout');
    release();
    await blocker;
    expect(await sut.run(() => Promise.reject(new Error('boom'))).catch((e: Error) => e.message)).to.equal('boom');
    expect(await sut.run(async () => 'free again')).to.equal('free again');
  });

  it('lets an aborted waiter leave the line, reports the counts as they change, and releases a permit once', async () => {
    const counts: string[] = [];
    const sut = new Semaphore(1, 2, 5000, (running, waiting) => counts.push(`${running}/${waiting}`));
    const first = await sut.acquire();
    const gone = new AbortController();
    let goneGranted = false;
    void sut.acquire(gone.signal).then(() => (goneGranted = true));
    const next = sut.acquire();
    expect([sut.running, sut.queued]).to.deep.equal([1, 2]);
    gone.abort();
    expect(sut.queued).to.equal(1);
    first();
    first();
    const second = await next;
    expect([sut.running, sut.queued, goneGranted]).to.deep.equal([1, 0, false]);
    second();
    expect(sut.running).to.equal(0);
    expect(counts).to.deep.equal(['1/0', '1/1', '1/2', '1/1', '1/0', '0/0']);
  });
});
