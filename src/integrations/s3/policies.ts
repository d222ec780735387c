// Reading and writing a bucket's settings (versioning, default encryption, lifecycle, replication,
// access logging, SNS notifications, the log-delivery grant in its policy), translated to and from
// the canonical form of src/decisions/storage-drift.ts. "Not configured" answers become empty values.
import {
  CreateBucketCommand,
  DeleteBucketLifecycleCommand,
  DeleteBucketPolicyCommand,
  DeleteBucketReplicationCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketReplicationCommand,
  GetBucketVersioningCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketLoggingCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketReplicationCommand,
  PutBucketVersioningCommand,
  type BucketLocationConstraint,
  type Event as S3Event,
  type S3Client,
  type StorageClass,
  type TransitionStorageClass,
} from '@aws-sdk/client-s3';
import type { BucketState, LogDeliveryGrant, Setting } from '../../decisions/storage-drift.js';

/** Our statements in a bucket policy start with this Sid; other statements are left alone. */
const logDeliverySid = 'AcodeGuardianLogDelivery';
const loggingPrincipal = 'logging.s3.amazonaws.com';

interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Principal?: { Service?: string };
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: { ArnLike?: { 'aws:SourceArn'?: string } };
}
interface PolicyDocument {
  Version?: string;
  Statement?: PolicyStatement[];
}

/** An S3 error that only says "this is not configured". */
const notConfigured = (e: unknown, ...names: string[]): boolean =>
  e instanceof Error && (names.includes(e.name) || names.includes((e as { Code?: string }).Code ?? ''));

async function orMissing<T>(p: Promise<T>, ...names: string[]): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (notConfigured(e, ...names)) return undefined;
    throw e;
  }
}

/** True if the bucket exists and is ours; false if it does not exist. */
export async function bucketExists(s3: S3Client, bucket: string): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (e) {
    if (e instanceof Error && (e.name === 'NotFound' || e.name === 'NoSuchBucket')) return false;
    throw e;
  }
}

export async function createBucket(s3: S3Client, bucket: string, region: string): Promise<void> {
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      // us-east-1 is the one region named by leaving the constraint out.
      ...(region === 'us-east-1'
        ? {}
        : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
    }),
  );
}

async function readPolicy(s3: S3Client, bucket: string): Promise<PolicyDocument> {
  const res = await orMissing(s3.send(new GetBucketPolicyCommand({ Bucket: bucket })), 'NoSuchBucketPolicy');
  if (!res?.Policy) return {};
  const doc = JSON.parse(res.Policy) as { Version?: string; Statement?: PolicyStatement | PolicyStatement[] };
  // IAM allows a single statement as an object rather than a list.
  const statements = doc.Statement === undefined ? [] : Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return { ...(doc.Version ? { Version: doc.Version } : {}), Statement: statements };
}

const first = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));

function grantsOf(policy: PolicyDocument, bucket: string): LogDeliveryGrant[] {
  const resourcePrefix = `arn:aws:s3:::${bucket}/`;
  return (policy.Statement ?? [])
    .filter((s) => s.Sid?.startsWith(logDeliverySid))
    .map((s) => ({
      sourceBucket: (s.Condition?.ArnLike?.['aws:SourceArn'] ?? '').replace('arn:aws:s3:::', ''),
      targetPrefix: first(s.Resource).replace(resourcePrefix, '').replace(/\*$/, ''),
    }));
}

/** The statement S3 server access logging needs on the target bucket (AWS's recommended form). */
function grantStatement(bucket: string, g: LogDeliveryGrant): PolicyStatement {
  return {
    Sid: `${logDeliverySid}${g.sourceBucket.replace(/[^A-Za-z0-9]/g, '')}`,
    Effect: 'Allow',
    Principal: { Service: loggingPrincipal },
    Action: ['s3:PutObject'],
    Resource: `arn:aws:s3:::${bucket}/${g.targetPrefix}*`,
    Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${g.sourceBucket}` } },
  };
}

/** Everything `BucketState` covers, read from S3. */
export async function readBucketState(s3: S3Client, bucket: string): Promise<BucketState> {
  const Bucket = bucket;
  const [versioning, encryption, lifecycle, replication, logging, notifications, policy] = await Promise.all([
    s3.send(new GetBucketVersioningCommand({ Bucket })),
    orMissing(s3.send(new GetBucketEncryptionCommand({ Bucket })), 'ServerSideEncryptionConfigurationNotFoundError'),
    orMissing(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket })), 'NoSuchLifecycleConfiguration'),
    orMissing(s3.send(new GetBucketReplicationCommand({ Bucket })), 'ReplicationConfigurationNotFoundError'),
    s3.send(new GetBucketLoggingCommand({ Bucket })),
    s3.send(new GetBucketNotificationConfigurationCommand({ Bucket })),
    readPolicy(s3, bucket),
  ]);
  const rep = replication?.ReplicationConfiguration;
  return {
    versioning: versioning.Status === 'Enabled',
    encryption:
      encryption?.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ??
      null,
    lifecycle: (lifecycle?.Rules ?? []).map((r) => ({
      id: r.ID ?? '',
      prefix: r.Filter?.Prefix ?? r.Prefix ?? '',
      enabled: r.Status === 'Enabled',
      transitions: (r.Transitions ?? []).map((t) => ({ days: t.Days ?? 0, storageClass: t.StorageClass ?? '' })),
      expirationDays: r.Expiration?.Days ?? null,
    })),
    replication: rep
      ? {
          roleArn: rep.Role ?? '',
          destinations: (rep.Rules ?? []).map((r) => ({
            bucketArn: r.Destination?.Bucket ?? '',
            storageClass: r.Destination?.StorageClass ?? null,
            enabled: r.Status === 'Enabled',
          })),
        }
      : null,
    accessLogging: logging.LoggingEnabled
      ? {
          targetBucket: logging.LoggingEnabled.TargetBucket ?? '',
          targetPrefix: logging.LoggingEnabled.TargetPrefix ?? '',
        }
      : null,
    notifications: (notifications.TopicConfigurations ?? []).map((n) => ({
      id: n.Id ?? '',
      topicArn: n.TopicArn ?? '',
      events: [...(n.Events ?? [])],
    })),
    logDelivery: grantsOf(policy, bucket),
  };
}

/** Sets one setting of a bucket to `value`, replacing what was there (other policy statements and notification kinds are kept). */
export async function writeSetting<S extends Setting>(
  s3: S3Client,
  bucket: string,
  setting: S,
  value: BucketState[S],
): Promise<void> {
  const Bucket = bucket;
  const v: BucketState[Setting] = value;
  switch (setting) {
    case 'versioning':
      await s3.send(
        new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: v ? 'Enabled' : 'Suspended' } }),
      );
      return;
    case 'encryption': {
      const algorithm = v as BucketState['encryption'];
      if (algorithm !== 'AES256') throw new Error(`unsupported default encryption ${String(algorithm)}`);
      await s3.send(
        new PutBucketEncryptionCommand({
          Bucket,
          ServerSideEncryptionConfiguration: {
            Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
          },
        }),
      );
      return;
    }
    case 'lifecycle': {
      const rules = v as BucketState['lifecycle'];
      if (rules.length === 0) {
        await s3.send(new DeleteBucketLifecycleCommand({ Bucket }));
        return;
      }
      await s3.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket,
          LifecycleConfiguration: {
            Rules: rules.map((r) => ({
              ID: r.id,
              Status: r.enabled ? 'Enabled' : 'Disabled',
              Filter: { Prefix: r.prefix },
              ...(r.transitions.length
                ? {
                    Transitions: r.transitions.map((t) => ({
                      Days: t.days,
                      StorageClass: t.storageClass as TransitionStorageClass,
                    })),
                  }
                : {}),
              ...(r.expirationDays === null ? {} : { Expiration: { Days: r.expirationDays } }),
            })),
          },
        }),
      );
      return;
    }
    case 'replication': {
      const rep = v as BucketState['replication'];
      if (!rep) {
        await s3.send(new DeleteBucketReplicationCommand({ Bucket }));
        return;
      }
      await s3.send(
        new PutBucketReplicationCommand({
          Bucket,
          ReplicationConfiguration: {
            Role: rep.roleArn,
            Rules: rep.destinations.map((d, i) => ({
              ID: `replicate-to-${d.bucketArn.replace('arn:aws:s3:::', '')}`,
              Priority: i + 1,
              Status: d.enabled ? 'Enabled' : 'Disabled',
              // The current rule schema: a filter (all objects) and an explicit delete-marker choice.
              Filter: { Prefix: '' },
              DeleteMarkerReplication: { Status: 'Disabled' },
              Destination: {
                Bucket: d.bucketArn,
                ...(d.storageClass ? { StorageClass: d.storageClass as StorageClass } : {}),
              },
            })),
          },
        }),
      );
      return;
    }
    case 'accessLogging': {
      const l = v as BucketState['accessLogging'];
      await s3.send(
        new PutBucketLoggingCommand({
          Bucket,
          BucketLoggingStatus: l
            ? { LoggingEnabled: { TargetBucket: l.targetBucket, TargetPrefix: l.targetPrefix } }
            : {},
        }),
      );
      return;
    }
    case 'notifications': {
      const current = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket }));
      await s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket,
          NotificationConfiguration: {
            ...(current.QueueConfigurations ? { QueueConfigurations: current.QueueConfigurations } : {}),
            ...(current.LambdaFunctionConfigurations
              ? { LambdaFunctionConfigurations: current.LambdaFunctionConfigurations }
              : {}),
            ...(current.EventBridgeConfiguration ? { EventBridgeConfiguration: current.EventBridgeConfiguration } : {}),
            TopicConfigurations: (v as BucketState['notifications']).map((n) => ({
              Id: n.id,
              TopicArn: n.topicArn,
              // Event names are checked by the config schema; S3 rejects any it does not know.
              Events: n.events as S3Event[],
            })),
          },
        }),
      );
      return;
    }
    case 'logDelivery': {
      const policy = await readPolicy(s3, bucket);
      const others = (policy.Statement ?? []).filter((s) => !s.Sid?.startsWith(logDeliverySid));
      const statements = [...others, ...(v as LogDeliveryGrant[]).map((g) => grantStatement(bucket, g))];
      if (statements.length === 0) {
        await orMissing(s3.send(new DeleteBucketPolicyCommand({ Bucket })), 'NoSuchBucketPolicy');
        return;
      }
      await s3.send(
        new PutBucketPolicyCommand({
          Bucket,
          Policy: JSON.stringify({ Version: policy.Version ?? '2012-10-17', Statement: statements }),
        }),
      );
      return;
    }
  }
}
