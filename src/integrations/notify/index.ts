// Sends a notice to the configured channels. A notification failure never fails the work that
// sent it: each channel's outcome is returned for the caller to record and surface instead.
import { logger } from '../../observability/logger.js';
import { HttpError, type RetryPolicy } from '../http.js';
import { pagerDutyEvent, type PagerDutyEvent } from './pagerduty.js';
import { sendSlack, type Notice, type SlackOptions } from './slack.js';

export type { Notice } from './slack.js';

export type ChannelName = 'slack' | 'pagerduty';

/** Secrets (webhook URL, routing key) come already resolved from the caller's secret store. */
export interface NotifyChannels {
  slack?: SlackOptions & { webhookUrl: string };
  pagerduty?: {
    eventsUrl: string;
    routingKey: string;
    /** The incident's key (see incidentKey), the same for its trigger, acknowledge and resolve. */
    dedupKey: string;
    /** Default 'trigger'. */
    action?: PagerDutyEvent['action'];
    /** Default the notice's system. */
    source?: string;
    component?: string;
    group?: string;
    class?: string;
    http?: RetryPolicy;
  };
}

export interface NotificationOutcome {
  channel: ChannelName;
  ok: boolean;
  attempts: number;
  status?: number;
  error?: string;
}

const log = logger.child({ module: 'notify' });

/** Logs retries unless the caller watches them itself. */
const loggingRetries = (channel: ChannelName, http: RetryPolicy = {}): RetryPolicy => ({
  ...http,
  onRetry:
    http.onRetry ??
    ((attempt, delayMs, reason) => log.warn({ channel, attempt, delayMs, reason }, 'notification retry')),
});

/** HttpError messages are already redacted; this also covers any other error that might quote a secret. */
const scrub = (text: string, secrets: string[]): string =>
  secrets.filter((s) => s.length > 1).reduce((t, s) => t.split(s).join('***'), text);

const urlSecrets = (url: string): string[] => {
  try {
    return [url, new URL(url).pathname];
  } catch {
    return [url];
  }
};

async function deliver(
  channel: ChannelName,
  secrets: string[],
  send: () => Promise<{ status: number; attempts: number }>,
): Promise<NotificationOutcome> {
  try {
    const { status, attempts } = await send();
    log.info({ channel, status, attempts }, 'notification delivered');
    return { channel, ok: true, status, attempts };
  } catch (e) {
    const outcome: NotificationOutcome = {
      channel,
      ok: false,
      attempts: e instanceof HttpError ? e.attempts : 0,
      ...(e instanceof HttpError && e.status !== undefined ? { status: e.status } : {}),
      error: scrub(e instanceof Error ? e.message : String(e), secrets),
    };
    log.warn(outcome, 'notification failed');
    return outcome;
  }
}

function pagerDutyEventFor(pd: NonNullable<NotifyChannels['pagerduty']>, notice: Notice): PagerDutyEvent {
  const action = pd.action ?? 'trigger';
  if (action !== 'trigger') return { action, dedupKey: pd.dedupKey };
  return {
    action,
    dedupKey: pd.dedupKey,
    summary: `[${notice.system}] ${notice.title}`,
    source: pd.source ?? notice.system,
    severity: notice.severity,
    component: pd.component,
    group: pd.group,
    class: pd.class,
    temporalUrl: notice.temporalUrl,
    customDetails: {
      what_happened: notice.whatHappened,
      what_is_being_done: notice.whatIsBeingDone,
      next_steps: notice.nextSteps,
      ...(notice.contacts?.length ? { contacts: notice.contacts } : {}),
    },
  };
}

/** Sends to every configured channel at once; never throws. */
export async function notify(channels: NotifyChannels, notice: Notice): Promise<NotificationOutcome[]> {
  const sends: Promise<NotificationOutcome>[] = [];
  const { slack, pagerduty } = channels;
  if (slack) {
    const { webhookUrl, ...options } = slack;
    sends.push(
      deliver('slack', urlSecrets(webhookUrl), () =>
        sendSlack(webhookUrl, notice, { ...options, http: loggingRetries('slack', options.http) }),
      ),
    );
  }
  if (pagerduty) {
    sends.push(
      deliver('pagerduty', [pagerduty.routingKey], () =>
        pagerDutyEvent(
          pagerduty.eventsUrl,
          pagerduty.routingKey,
          pagerDutyEventFor(pagerduty, notice),
          loggingRetries('pagerduty', pagerduty.http),
        ),
      ),
    );
  }
  return Promise.all(sends);
}
