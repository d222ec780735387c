// s3_uploads: the age of the newest object under the production prefix, over every listing page.
import type { S3Client } from '@aws-sdk/client-s3';
import { summarize } from '../integrations/s3/list.js';
import { runCheck, type Measurement } from './run.js';
import type { CheckResult, Side, Thresholds } from './types.js';

export function checkS3Freshness(
  s3: S3Client,
  side: Side,
  bucket: string,
  prefix: string,
  hours: Thresholds,
  timeoutMs: number,
  now: () => Date = () => new Date(),
): Promise<CheckResult> {
  return runCheck(
    { check: 's3_uploads', side, target: `s3://${bucket}/${prefix}`, unit: 'hours', ...hours, timeoutMs },
    async (signal): Promise<Measurement> => {
      const s = await summarize(s3, bucket, prefix, signal);
      if (!s.newest) {
        return {
          value: null,
          status: 'unhealthy',
          details: { objects: 0 },
          error: { code: 'NO_DATA', message: `no objects under s3://${bucket}/${prefix}` },
        };
      }
      const ageHours = (now().getTime() - s.newest.lastModified.getTime()) / 3_600_000;
      const stale = hours.fail !== null && ageHours >= hours.fail;
      return {
        value: Math.round(ageHours * 1000) / 1000,
        details: {
          objects: s.count,
          total_bytes: s.totalBytes,
          newest_key: s.newest.key,
          newest_at: s.newest.lastModified.toISOString(),
        },
        ...(stale
          ? {
              error: {
                code: 'STALE_DATA',
                message: `newest upload is ${ageHours.toFixed(1)} h old (limit ${hours.fail} h)`,
              },
            }
          : {}),
      };
    },
  );
}
