import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ForwardingTap, LiveForward } from '../../src/content/forwarding-tap';

const MiB = 1024 * 1024;

/** Feeds data in 64 KiB pieces, as a socket would deliver it. */
function source(data: Buffer): Readable {
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; i += 65536) pieces.push(data.subarray(i, i + 65536));
  return Readable.from(pieces);
}

function sink(into: Buffer[]): Writable {
  return new Writable({
    write(chunk: Buffer, _e, done) {
      into.push(chunk);
      done();
    },
  });
}

describe(ForwardingTap.name, () => {
  it('passes every byte on in 1 MiB chunks while the live requester lacks the final chunk until release()', async () => {
    const data = randomBytes(3 * MiB + 12345);
    const live = new LiveForward(5000);
    const seen: Buffer[] = [];
    let ended = false;
    live.stream
      .on('data', (c: Buffer) => seen.push(c))
      .on('end', () => {
        ended = true;
      });
    const stored: Buffer[] = [];
    let bytes = 0;
    await pipeline(
      source(data),
      new ForwardingTap(data.length, live, (n) => {
        bytes += n;
      }),
      sink(stored),
    );

    expect(Buffer.concat(stored).equals(data)).to.equal(true);
    expect(stored.slice(0, -1).every((c) => c.length === MiB)).to.equal(true);
    expect(bytes).to.equal(data.length);
    await new Promise((r) => setImmediate(r));
    expect(ended).to.equal(false);
    expect(Buffer.concat(seen).equals(data.subarray(0, 3 * MiB))).to.equal(true);

    live.release();
    await new Promise((r) => setImmediate(r));
    expect(ended).to.equal(true);
    expect(Buffer.concat(seen).equals(data)).to.equal(true);
  });

  it('fails with PayloadTooLarge once the body exceeds the expected size', async () => {
    const err = await pipeline(source(randomBytes(MiB + 1)), new ForwardingTap(MiB, undefined, () => undefined), sink([])).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as { code?: string })?.code).to.equal('PayloadTooLarge');
  });

  it('keeps feeding the store when the live requester goes away', async () => {
    const data = randomBytes(8 * MiB);
    const live = new LiveForward(5000);
    live.stream.once('data', () => live.stream.destroy());
    const stored: Buffer[] = [];
    await pipeline(source(data), new ForwardingTap(data.length, live, () => undefined), sink(stored));
    expect(Buffer.concat(stored).equals(data)).to.equal(true);
  });

  it('cuts off a live requester that takes nothing for stallMs, and the store still gets everything', async () => {
    const data = randomBytes(8 * MiB); // more than the live buffer holds
    const live = new LiveForward(50);
    const stored: Buffer[] = [];
    await pipeline(source(data), new ForwardingTap(data.length, live, () => undefined), sink(stored));
    expect(live.stream.destroyed).to.equal(true);
    expect(live.stream.errored?.message).to.match(/took no data/);
    expect(Buffer.concat(stored).equals(data)).to.equal(true);
  });
});
