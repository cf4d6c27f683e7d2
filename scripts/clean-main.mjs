// Removes the previous main/preload build so deleted sources leave no stale .js behind.
import { rmSync } from 'node:fs';
for (const dir of ['dist/main', 'dist/preload']) rmSync(new URL(`../${dir}`, import.meta.url), { recursive: true, force: true });
