// PagerDuty Events API v2. Every event of an incident carries the same dedup_key, so an incident
// pages once, and its acknowledge/resolve close that same page.
import { createHash } from 'node:crypto';
import { HttpError, redactUrl, requestWithRetry, type RetryPolicy } from '../http.js';

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export interface PagerDutyLink {
  href: string;
  text: string;
}

export type PagerDutyEvent =
  | {
      action: 'trigger';
      dedupKey: string;
      summary: string;
      /** Where the problem is: the affected system, preferably a host name. */
      source: string;
      severity: PagerDutySeverity;
      component?: string;
      group?: string;
      class?: string;
      customDetails?: Record<string, unknown>;
      temporalUrl?: string;
      links?: PagerDutyLink[];
      /** ISO 8601; default now. */
      timestamp?: string;
    }
  | { action: 'acknowledge' | 'resolve'; dedupKey: string };

export interface PagerDutyBody {
  routing_key: string;
  event_action: PagerDutyEvent['action'];
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: PagerDutySeverity;
    timestamp: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details?: Record<string, unknown>;
  };
  links?: PagerDutyLink[];
}

export interface PagerDutyResult {
  status: number;
  attempts: number;
  dedupKey: string;
}

// Limits of the Events API v2.
const maxDedupKey = 255;
const maxSummary = 1024;

/** A stable dedup key for one incident of one system, within PagerDuty's 255 characters. */
export function incidentKey(systemId: string, incidentId: string): string {
  const key = `acode-guardian/${systemId}/${incidentId}`;
  if (key.length <= maxDedupKey) return key;
  return `acode-guardian/${createHash('sha256').update(`${systemId}/${incidentId}`).digest('hex')}`;
}

export function buildPagerDutyEvent(routingKey: string, event: PagerDutyEvent): PagerDutyBody {
  const base = { routing_key: routingKey, event_action: event.action, dedup_key: event.dedupKey };
  // Acknowledge and resolve only name the incident; PagerDuty ignores anything else.
  if (event.action !== 'trigger') return base;
  const links = [
    ...(event.temporalUrl ? [{ href: event.temporalUrl, text: 'Temporal UI run' }] : []),
    ...(event.links ?? []),
  ];
  return {
    ...base,
    payload: {
      summary: event.summary.slice(0, maxSummary),
      source: event.source,
      severity: event.severity,
      timestamp: event.timestamp ?? new Date().toISOString(),
      ...(event.component ? { component: event.component } : {}),
      ...(event.group ? { group: event.group } : {}),
      ...(event.class ? { class: event.class } : {}),
      ...(event.customDetails ? { custom_details: event.customDetails } : {}),
    },
    ...(links.length ? { links } : {}),
  };
}

/** Sends one event; the routing key travels only in the body and never appears in errors. */
export async function pagerDutyEvent(
  eventsUrl: string,
  routingKey: string,
  event: PagerDutyEvent,
  http: RetryPolicy = {},
): Promise<PagerDutyResult> {
  const res = await requestWithRetry({
    ...http,
    method: 'POST',
    url: eventsUrl,
    json: buildPagerDutyEvent(routingKey, event),
  });
  // The Events API answers 202 Accepted; any other 2xx means we are not talking to it.
  if (res.status !== 202) {
    const url = redactUrl(eventsUrl);
    throw new HttpError(`POST ${url}: expected 202, got ${res.status}`, {
      url,
      attempts: res.attempts,
      status: res.status,
    });
  }
  return { status: res.status, attempts: res.attempts, dedupKey: event.dedupKey };
}
