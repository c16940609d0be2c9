import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  let now = 0;
  const limiter = () => new RateLimiter(3, 60_000, () => now);
  beforeEach(() => {
    now = 1_000_000;
  });

  it('allows attempts until the maximum number of failures within the window', () => {
    const l = limiter();
    l.fail('k');
    l.fail('k');
    expect(l.retryAfterMs('k')).toBe(0);
    l.fail('k');
    expect(l.retryAfterMs('k')).toBe(60_000);
  });

  it('lets the key try again once the oldest counted failure leaves the window', () => {
    const l = limiter();
    l.fail('k');
    now += 10_000;
    l.fail('k');
    l.fail('k');
    now += 45_000;
    expect(l.retryAfterMs('k')).toBe(5_000);
    now += 5_000;
    expect(l.retryAfterMs('k')).toBe(0);
  });

  it('keeps keys apart and forgets a key on reset', () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) l.fail('a');
    expect(l.retryAfterMs('b')).toBe(0);
    l.reset('a');
    expect(l.retryAfterMs('a')).toBe(0);
  });

  it('takes back the latest failure on forgive', () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) l.fail('k');
    l.forgive('k');
    expect(l.retryAfterMs('k')).toBe(0);
    l.forgive('k');
    l.forgive('k');
    l.forgive('k');
    l.fail('k');
    l.fail('k');
    expect(l.retryAfterMs('k')).toBe(0);
  });
});
