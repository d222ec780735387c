// Storage policies: the buckets' desired settings from the config, and the drift between them and
// what S3 reports. Both sides are put in one canonical form (sorted, defaults spelled out), so a
// bucket that matches has no drift and a second `storage apply` changes nothing.
import type { BucketPolicyConfig, SystemConfig } from '../config/schema.js';

export type BucketRole = keyof SystemConfig['s3']['policies'] | 'replica';

export interface Transition {
  days: number;
  storageClass: string;
}
export interface LifecycleRule {
  id: string;
  prefix: string;
  enabled: boolean;
  transitions: Transition[];
  expirationDays: number | null;
}
export interface Replication {
  roleArn: string;
  destinations: { bucketArn: string; storageClass: string | null; enabled: boolean }[];
}
export interface AccessLogging {
  targetBucket: string;
  targetPrefix: string;
}
export interface TopicNotification {
  id: string;
  topicArn: string;
  events: string[];
}
/** A statement of the bucket policy letting S3 deliver a source bucket's access logs here. */
export interface LogDeliveryGrant {
  sourceBucket: string;
  targetPrefix: string;
}

/** What S3 says of a bucket, in canonical form; null = not configured. */
export interface BucketState {
  versioning: boolean;
  encryption: string | null;
  lifecycle: LifecycleRule[];
  replication: Replication | null;
  accessLogging: AccessLogging | null;
  notifications: TopicNotification[];
  logDelivery: LogDeliveryGrant[];
}
export type Setting = keyof BucketState;

/** The order settings are applied in: versioning before replication, the log grant before logging. */
export const settingOrder: readonly Setting[] = [
  'versioning',
  'encryption',
  'lifecycle',
  'logDelivery',
  'accessLogging',
  'notifications',
  'replication',
];

/** A bucket and the settings the config manages on it (a setting left out is not looked at). */
export interface DesiredBucket {
  role: BucketRole;
  bucket: string;
  region: string;
  settings: Partial<BucketState>;
}

export interface Drift {
  role: BucketRole;
  bucket: string;
  setting: Setting | 'bucket';
  desired: unknown;
  actual: unknown;
}

export const emptyState = (): BucketState => ({
  versioning: false,
  encryption: null,
  lifecycle: [],
  replication: null,
  accessLogging: null,
  notifications: [],
  logDelivery: [],
});

const byKey =
  <T>(key: (t: T) => string | number) =>
  (a: T, b: T): number => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };

/** Sorted lists, so that order never counts as a difference. */
export function canonical<S extends Setting>(setting: S, value: BucketState[S]): BucketState[S] {
  const v: BucketState[Setting] = value;
  switch (setting) {
    case 'lifecycle':
      return (v as LifecycleRule[])
        .map((r) => ({ ...r, transitions: [...r.transitions].sort(byKey((t) => t.days)) }))
        .sort(byKey((r) => r.id)) as BucketState[S];
    case 'notifications':
      return (v as TopicNotification[])
        .map((n) => ({ ...n, events: [...n.events].sort() }))
        .sort(byKey((n) => n.id)) as BucketState[S];
    case 'logDelivery':
      return [...(v as LogDeliveryGrant[])].sort(byKey((g) => `${g.sourceBucket} ${g.targetPrefix}`)) as BucketState[S];
    case 'replication': {
      const r = v as Replication | null;
      return (r && { ...r, destinations: [...r.destinations].sort(byKey((d) => d.bucketArn)) }) as BucketState[S];
    }
    default:
      return value;
  }
}

/** Deep equality of plain JSON values, key order ignored. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return same(ka, kb) && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/** The drifts of one bucket, in apply order; `actual` null = the bucket does not exist. */
export function bucketDrifts(desired: DesiredBucket, actual: BucketState | null): Drift[] {
  const at = { role: desired.role, bucket: desired.bucket };
  if (!actual) return [{ ...at, setting: 'bucket', desired: 'exists', actual: 'missing' }];
  const drifts: Drift[] = [];
  for (const setting of settingOrder) {
    const want = desired.settings[setting];
    if (want === undefined) continue;
    const d = canonical(setting, want);
    const a = canonical(setting, actual[setting]);
    if (!same(d, a)) drifts.push({ ...at, setting, desired: d, actual: a });
  }
  return drifts;
}

const s3Arn = (bucket: string): string => `arn:aws:s3:::${bucket}`;

function lifecycleOf(p: BucketPolicyConfig): LifecycleRule[] {
  return p.lifecycle.map((r) => ({
    id: r.id,
    prefix: r.prefix,
    enabled: r.enabled,
    transitions: r.transitions.map((t) => ({ days: t.days, storageClass: t.storage_class })),
    expirationDays: r.expiration_days ?? null,
  }));
}

const roleOrder: readonly Exclude<BucketRole, 'replica'>[] = [
  'audit_logs',
  'production',
  'backup',
  'emergency',
  'quarantine',
  'archive',
];

/**
 * The desired state of a system's buckets: each bucket's policy, plus what they rely on (the
 * replication destination, versioned; the log-delivery grant on the access-log target). Ordered so
 * that applying them in turn meets every dependency. One entry per bucket, even if roles share one.
 */
export function desiredBuckets(system: SystemConfig): DesiredBucket[] {
  const { buckets, policies, region } = system.s3;
  const out = new Map<string, DesiredBucket>();
  const entry = (role: BucketRole, bucket: string, bucketRegion: string): DesiredBucket => {
    const e = out.get(bucket) ?? { role, bucket, region: bucketRegion, settings: {} };
    out.set(bucket, e);
    return e;
  };
  for (const role of roleOrder) {
    const p = policies[role];
    const bucket = buckets[role].name;
    const e = entry(role, bucket, region);
    Object.assign(e.settings, {
      versioning: p.versioning,
      encryption: p.encryption,
      lifecycle: lifecycleOf(p),
      replication: p.replication
        ? {
            roleArn: p.replication.role_arn,
            destinations: [
              {
                bucketArn: s3Arn(p.replication.destination_bucket),
                storageClass: p.replication.storage_class ?? null,
                enabled: p.replication.enabled,
              },
            ],
          }
        : null,
      accessLogging: p.access_logging
        ? {
            targetBucket: p.access_logging.target_bucket ?? buckets.audit_logs.name,
            targetPrefix: p.access_logging.target_prefix,
          }
        : null,
      ...(p.notifications
        ? { notifications: p.notifications.map((n) => ({ id: n.id, topicArn: n.topic_arn, events: n.events })) }
        : {}),
    } satisfies Partial<BucketState>);
    if (p.replication) {
      const replica = entry('replica', p.replication.destination_bucket, p.replication.destination_region);
      Object.assign(replica.settings, { versioning: true, encryption: p.encryption });
    }
  }
  // Every bucket that receives access logs grants exactly the deliveries configured to it.
  const grants = new Map<string, LogDeliveryGrant[]>();
  for (const e of out.values()) {
    const logging = e.settings.accessLogging;
    if (!logging) continue;
    grants.set(logging.targetBucket, [
      ...(grants.get(logging.targetBucket) ?? []),
      { sourceBucket: e.bucket, targetPrefix: logging.targetPrefix },
    ]);
  }
  for (const e of out.values()) e.settings.logDelivery = grants.get(e.bucket) ?? [];
  // Log targets first (the grant must exist before logging is turned on), then replication destinations.
  const rank = (e: DesiredBucket): number =>
    e.settings.logDelivery?.length ? -2 : e.role === 'replica' ? -1 : roleOrder.indexOf(e.role);
  return [...out.values()].sort(byKey(rank));
}

/** One line per value, for people: `30d STANDARD_IA, 90d GLACIER, expire 365d`. */
export function describeSetting(setting: Drift['setting'], value: unknown): string {
  if (value === null || value === undefined) return 'none';
  switch (setting) {
    case 'versioning':
      return value ? 'Enabled' : 'off';
    case 'lifecycle': {
      const rules = value as LifecycleRule[];
      if (rules.length === 0) return 'no rules';
      return rules
        .map((r) => {
          const steps = [
            ...r.transitions.map((t) => `${t.days}d ${t.storageClass}`),
            ...(r.expirationDays === null ? [] : [`expire ${r.expirationDays}d`]),
          ];
          return `${r.id}${r.prefix ? ` (${r.prefix})` : ''}${r.enabled ? '' : ' [disabled]'}: ${steps.join(', ')}`;
        })
        .join('; ');
    }
    case 'replication': {
      const r = value as Replication;
      return r.destinations
        .map(
          (d) => `${d.enabled ? '' : '[disabled] '}to ${d.bucketArn}${d.storageClass ? ` as ${d.storageClass}` : ''}`,
        )
        .join(', ')
        .concat(` (role ${r.roleArn})`);
    }
    case 'accessLogging': {
      const l = value as AccessLogging;
      return `s3://${l.targetBucket}/${l.targetPrefix}`;
    }
    case 'notifications': {
      const n = value as TopicNotification[];
      return n.length ? n.map((x) => `${x.id}: ${x.events.join(' ')} -> ${x.topicArn}`).join('; ') : 'none';
    }
    case 'logDelivery': {
      const g = value as LogDeliveryGrant[];
      return g.length ? g.map((x) => `logs of ${x.sourceBucket} under ${x.targetPrefix || '/'}`).join('; ') : 'none';
    }
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/** `bucket (role) setting: actual -> desired`. */
export const describeDrift = (d: Drift): string =>
  `${d.bucket} (${d.role}) ${d.setting}: ${describeSetting(d.setting, d.actual)} -> ${describeSetting(d.setting, d.desired)}`;
