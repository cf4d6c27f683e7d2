import { describe, expect, it } from 'vitest';
import { Ints, Tape } from '../../main/core/team/agreement-rows';

describe('agreement rows kept as numbers', () => {
  it('gives back every number as stored, across many chunks, and changes one in place', () => {
    const ints = new Ints();
    const tape = new Tape();
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      expect(ints.push(i * 3 - 7)).toBe(i);
      tape.push(i + 0.5);
    }
    ints.set(9000, -1);
    const wrong: number[] = [];
    for (let i = 0; i < n; i++) if (ints.get(i) !== (i === 9000 ? -1 : i * 3 - 7)) wrong.push(i);
    expect(wrong).toEqual([]);
    expect(ints.length).toBe(n);
    const read = tape.reader();
    const back = Array.from({ length: n }, () => read());
    expect(back).toEqual(Array.from({ length: n }, (_, i) => i + 0.5));
    expect(() => read()).toThrow(/past the last number/);
  });

  it('refuses a number that a 32-bit count cannot hold rather than store it wrong', () => {
    const ints = new Ints();
    expect(() => ints.push(2 ** 31)).toThrow(/does not fit a stored count/);
    expect(() => ints.push(1.5)).toThrow(/does not fit/);
    expect(ints.push(2 ** 31 - 1)).toBe(0);
    expect(ints.get(0)).toBe(2 ** 31 - 1);
    expect(ints.length).toBe(1);
  });
});
