import { describe, expect, it } from 'vitest';
import { fileSize } from '../../main/api/contract/file-size';

describe('a file size as the command line and the "Opening…" screen say it', () => {
  it('reads in whole KB below a megabyte, never "0 KB"', () => {
    expect(fileSize(0)).toBe('1 KB');
    expect(fileSize(1023)).toBe('1 KB');
    expect(fileSize(1024)).toBe('1 KB');
    expect(fileSize(1500)).toBe('2 KB');
    expect(fileSize(950_000)).toBe('950 KB');
    expect(fileSize(999_499)).toBe('999 KB');
  });

  it('moves to the next unit where rounding would reach a thousand, not "1000 KB" or "1000 MB"', () => {
    expect(fileSize(999_500)).toBe('1 MB');
    expect(fileSize(1_500_000)).toBe('2 MB');
    expect(fileSize(999_499_999)).toBe('999 MB');
    expect(fileSize(999_500_000)).toBe('1.0 GB');
  });

  it('reads gigabytes with one decimal', () => {
    expect(fileSize(1_200_000_000)).toBe('1.2 GB');
    expect(fileSize(1_549_000_000)).toBe('1.5 GB');
    expect(fileSize(12_000_000_000)).toBe('12.0 GB');
  });
});
