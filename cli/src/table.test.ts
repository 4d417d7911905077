import { describe, expect, it } from 'vitest';
import { formatTable } from './table.js';

describe('formatTable', () => {
  it('pads columns to the widest cell (counting Vietnamese letters once) and marks empty cells', () => {
    expect(
      formatTable(
        ['a', 'bb', 'c'],
        [
          ['Bàn phím', '', 'x'],
          ['1', '22', ''],
        ],
      ),
    ).toBe('a         bb  c\nBàn phím  -   x\n1         22  -\n');
  });
});
