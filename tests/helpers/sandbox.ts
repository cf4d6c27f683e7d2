import { afterAll, afterEach } from 'vitest';
import { closeSandbox } from '../../main/core/sandbox/sandbox';

/**
 * For a describe block whose tests lower the sandbox's memory ceiling: after each test the
 * ceiling is put back and the worker closed (the next one starts with the ceiling of its
 * test), and no worker outlives the block.
 */
export function freshSandboxEachTest(): void {
  const saved = process.env.MARGINALIA_SANDBOX_MEMORY_MB;
  afterEach(async () => {
    if (saved === undefined) delete process.env.MARGINALIA_SANDBOX_MEMORY_MB;
    else process.env.MARGINALIA_SANDBOX_MEMORY_MB = saved;
    await closeSandbox();
  });
  afterAll(() => closeSandbox());
}
