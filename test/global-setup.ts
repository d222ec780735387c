// Brings the local stack up once for the whole suite (idempotent: a running stack is reused and
// left running for the next run; `npm run stack -- down` stops it).
import { stackUp } from '../src/stack/stack.js';

export default async function setup(): Promise<void> {
  await stackUp((line) => console.log(`[stack] ${line}`));
}
