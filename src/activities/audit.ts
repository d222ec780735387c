// The audit trail of continuous monitoring: every result as one JSON line, in the system's
// audit-log bucket (one object per run, since S3 cannot append), and in the structured log.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { log } from '@temporalio/activity';
import type { SystemRegistry } from './context.js';

export function createAuditActivities(systems: SystemRegistry) {
  return {
    writeAuditRecord: async (
      systemId: string,
      record: { kind: string; at: string } & Record<string, unknown>,
    ): Promise<string> => {
      const ctx = systems.get(systemId);
      const { name, prefix } = ctx.system.s3.buckets.audit_logs;
      const day = record.at.slice(0, 10).replaceAll('-', '/');
      const key = `${prefix}${record.kind}/${day}/${record.at.replace(/[:.]/g, '-')}-${systemId}.jsonl`;
      await ctx.s3().send(
        new PutObjectCommand({
          Bucket: name,
          Key: key,
          Body: `${JSON.stringify({ systemId, ...record })}\n`,
          ContentType: 'application/x-ndjson',
          ServerSideEncryption: 'AES256',
        }),
      );
      log.info('audit record written', { systemId, kind: record.kind, key });
      return `s3://${name}/${key}`;
    },
  };
}
