#!/usr/bin/env node
// The operator CLI, run from its TypeScript source through tsx (no build step to forget).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/client.ts');
await main();
