// S3 clients (@aws-sdk/client-s3). Retries on throttling (503 SlowDown) and transient network
// errors are the SDK's own adaptive retry mode: client-side rate limiting plus backoff.
import { S3Client } from '@aws-sdk/client-s3';
import { guardEndpoint } from '../loopback.js';

export interface S3Settings {
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
  /** Resolved from the environment by the caller; absent = the default AWS credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  maxAttempts?: number;
}

export function createS3Client(s: S3Settings): S3Client {
  // Without an endpoint the SDK would talk to real AWS.
  guardEndpoint(s.endpoint ?? 'amazonaws.com', 'S3 endpoint');
  return new S3Client({
    region: s.region,
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    forcePathStyle: s.forcePathStyle,
    ...(s.credentials ? { credentials: s.credentials } : {}),
    retryMode: 'adaptive',
    maxAttempts: s.maxAttempts ?? 5,
  });
}
