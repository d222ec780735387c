// How the workflows call their activities, one proxy per kind of call, so the timeouts and retries
// of a kind are set once. Calls of their own kind (a dump, the quarantine, a rotation) keep their
// proxy in the workflow that makes them.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

/** Short calls to Airbyte, MySQL, S3 and the settings. */
export const api = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

/** Reading a day of backup Parquet; it heartbeats its rows. */
export const validation = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '10 seconds', maximumAttempts: 3 },
});

/** A round of health checks: each check is bounded by its own timeout; this bounds the whole concurrent round. */
export const checks = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 2 },
});

/** Messages out of a run: a signal to the recovery, a notification, an audit record. */
export const messages = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumAttempts: 5 },
});
