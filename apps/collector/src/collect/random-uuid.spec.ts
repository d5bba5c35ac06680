import { randomUuid } from './random-uuid';

describe('randomUuid', () => {
  it('makes RFC 9562 version 4 UUIDs in the canonical lowercase form', () => {
    for (let i = 0; i < 200; i++) expect(randomUuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('does not repeat itself', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => randomUuid()));
    expect(seen.size).toBe(1000);
  });
});
