import { StoreInputError } from '@onestop/store';
import { describe, expect, it } from 'vitest';
import { asUsage, UsageError } from './errors.js';

describe('asUsage', () => {
  it("turns the store's input errors into usage errors with the same message", async () => {
    const failed = Promise.reject(new StoreInputError('--role must be one of city, ward')).catch(asUsage);
    await expect(failed).rejects.toBeInstanceOf(UsageError);
    await expect(failed).rejects.toThrow('--role must be one of city, ward');
  });

  it('passes any other error through unchanged', async () => {
    const boom = new Error('disk full');
    await expect(Promise.reject(boom).catch(asUsage)).rejects.toBe(boom);
  });
});
