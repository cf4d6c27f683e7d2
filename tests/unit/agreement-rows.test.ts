import { describe, expect, it } from 'vitest';
import { Records, Tape } from '../../main/core/team/agreement-rows';

describe('agreement rows kept as numbers', () => {
  it('gives back every record and number as stored, across many chunks', () => {
    const records = new Records(2, 3);
    const tape = new Tape();
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const at = records.add();
      expect(at).toBe(i);
      records.setFloat(at, 0, i / 7);
      records.setFloat(at, 1, -i);
      records.setInt(at, 2, i * 3);
      tape.push(i + 0.5);
    }
    records.setInt(0, 0, -1);
    const wrong: number[] = [];
    for (let i = 0; i < n; i++) {
      if (records.float(i, 0) !== i / 7 || records.float(i, 1) !== -i || records.int(i, 2) !== i * 3 || records.int(i, 1) !== 0) wrong.push(i);
    }
    expect(wrong).toEqual([]);
    expect(records.int(0, 0)).toBe(-1);
    const read = tape.reader();
    const back = Array.from({ length: n }, () => read());
    expect(back).toEqual(Array.from({ length: n }, (_, i) => i + 0.5));
    expect(() => read()).toThrow(/past the last number/);
  });
});
