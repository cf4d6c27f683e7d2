import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { GuidSet } from '../../main/core/exchange/guid-set';
import { derivedGuid } from '../../main/core/exchange/xml';

describe('the set of GUIDs a .qdpx export checks for duplicates', () => {
  it('finds every GUID it was given, and only those, after growing many times over', () => {
    const set = new GuidSet();
    const given = Array.from({ length: 60_000 }, (_, i) => (i % 2 ? randomUUID() : derivedGuid(`coding:${i}`)));
    expect(given.filter((g) => !set.add(g))).toEqual([]);
    expect(given.filter((g) => !set.has(g))).toEqual([]);
    expect(given.filter((g) => set.add(g))).toEqual([]);
    const others = Array.from({ length: 5_000 }, () => randomUUID());
    expect(others.filter((g) => set.has(g))).toEqual([]);
  });

  it('tells apart GUIDs that differ in one digit, and GUIDs sharing their first digits (made from a clock)', () => {
    const set = new GuidSet();
    const base = '0190a5e4-7b1c-7000-8000-00000000000';
    for (let i = 0; i < 16; i++) expect(set.add(base + i.toString(16))).toBe(true);
    expect(set.has(`${base}f`)).toBe(true);
    expect(set.has('0190a5e4-7b1c-7000-8000-000000000010')).toBe(false);
    expect(set.has('1190a5e4-7b1c-7000-8000-00000000000f')).toBe(false);
  });

  it('compares without regard to case', () => {
    const set = new GuidSet();
    expect(set.add('ABCDEF01-2345-4678-9ABC-DEF012345678')).toBe(true);
    expect(set.add('abcdef01-2345-4678-9abc-def012345678')).toBe(false);
    expect(set.has('AbCdEf01-2345-4678-9aBc-dEf012345678')).toBe(true);
  });

  it('holds the nil GUID, GUIDs in braces and other ids beside the usual layout', () => {
    const set = new GuidSet();
    for (const g of ['00000000-0000-0000-0000-000000000000', '{ABCDEF01-2345-4678-9ABC-DEF012345678}', 'not-a-guid', 'abcdef01-2345-4678-9abc-def01234567g', 'abcdef01x2345-4678-9abc-def012345678']) {
      expect(set.has(g)).toBe(false);
      expect(set.add(g)).toBe(true);
      expect(set.add(g.toUpperCase())).toBe(false);
      expect(set.has(g)).toBe(true);
    }
    // The same digits in braces and without them are two different strings in the file.
    expect(set.has('abcdef01-2345-4678-9abc-def012345678')).toBe(false);
  });
});
