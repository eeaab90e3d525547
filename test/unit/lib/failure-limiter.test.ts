import { expect } from 'chai';
import { FailureLimiter } from '../../../src/lib/failure-limiter';

describe('FailureLimiter', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('lets a key fail `limit` times in the window, then says how long until the oldest failure leaves it', () => {
    const sut = new FailureLimiter({ limit: 3, windowMs: 60_000 }, clock);
    for (let i = 0; i < 3; i++) {
      expect(sut.retryAfterMs('a')).to.equal(0);
      sut.record('a');
      now += 1000;
    }
    expect(sut.retryAfterMs('a')).to.equal(57_000);
    expect(sut.retryAfterMs('b'), 'other keys are not affected').to.equal(0);
    now += 57_000;
    expect(sut.retryAfterMs('a'), 'the oldest failure left the window').to.equal(0);
    sut.record('a');
    expect(sut.retryAfterMs('a')).to.equal(1000);
  });

  it('slides: failures spread over more than the window never block', () => {
    const sut = new FailureLimiter({ limit: 2, windowMs: 10_000 }, clock);
    for (let i = 0; i < 20; i++) {
      expect(sut.retryAfterMs('a'), `attempt ${i}`).to.equal(0);
      sut.record('a');
      now += 5001;
    }
  });

  it('forgives the latest attempt of a key that succeeded', () => {
    const sut = new FailureLimiter({ limit: 2, windowMs: 10_000 }, clock);
    sut.record('a');
    sut.record('a');
    expect(sut.retryAfterMs('a')).to.be.above(0);
    sut.forgive('a');
    expect(sut.retryAfterMs('a')).to.equal(0);
    sut.forgive('never-seen');
  });

  it('remembers at most maxKeys keys, forgetting the least recently failing', () => {
    const sut = new FailureLimiter({ limit: 1, windowMs: 10_000, maxKeys: 2 }, clock);
    sut.record('a');
    sut.record('b');
    sut.record('a');
    sut.record('c');
    expect(sut.retryAfterMs('b')).to.equal(0);
    expect(sut.retryAfterMs('a')).to.be.above(0);
    expect(sut.retryAfterMs('c')).to.be.above(0);
  });
});
