import { hostileBodies, sampleFor, seeded } from './hostile-bodies';

describe('hostileBodies', () => {
  const schema = {
    type: 'object',
    properties: { amount: { type: 'number' }, client_id: { type: 'string', format: 'uuid' }, due_date: { type: 'string', format: 'date' } },
    required: ['amount'],
  };

  it('builds a plausible base from the schema', () => {
    expect(sampleFor(schema, {})).toEqual({ amount: 100.5, client_id: '00000000-0000-4000-8000-000000000000', due_date: '2026-11-01' });
  });

  it('gives the requested number of cases, reproducibly from the seed', () => {
    const a = hostileBodies(schema, {}, 120, 7);
    const b = hostileBodies(schema, {}, 120, 7);
    expect(a).toHaveLength(120);
    expect(a.map((c) => c.body.toString('base64'))).toEqual(b.map((c) => c.body.toString('base64')));
    expect(new Set(a.map((c) => c.label)).size).toBeGreaterThan(20);
  });

  it('includes invalid UTF-8 and prototype-pollution bodies', () => {
    const cases = hostileBodies(schema, {}, 40);
    const utf8 = cases.find((c) => c.label === 'invalid UTF-8');
    expect(utf8 && Buffer.from(utf8.body.toString('utf8')).equals(utf8.body)).toBe(false);
    expect(cases.some((c) => c.body.toString().includes('"__proto__"'))).toBe(true);
  });

  it('seeded() is deterministic and in [0, 1)', () => {
    const r = seeded(3);
    const values = Array.from({ length: 100 }, r);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(seeded(3)()).toBe(values[0]);
  });
});
