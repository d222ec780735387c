// Notification activity: Slack always (when configured), PagerDuty when the caller pages, with the
// system's escalation contacts from the config. It never fails the work that sent it: outcomes
// are returned to be recorded and surfaced.
import type { NotificationOutcome, NotifyChannels, Notice } from '../integrations/notify/index.js';
import { notify } from '../integrations/notify/index.js';
import { incidentKey } from '../integrations/notify/pagerduty.js';
import { activityMeter } from '../observability/activity-context.js';
import { recordNotifications } from '../observability/metrics.js';
import type { SystemRegistry } from './context.js';

export interface NotificationRequest {
  notice: Omit<Notice, 'system' | 'contacts'>;
  /** Add the configured escalation contacts to the message. */
  withContacts?: boolean;
  /** Page: one incident id is one PagerDuty incident from trigger to resolve. */
  page?: { incidentId: string; action: 'trigger' | 'acknowledge' | 'resolve' };
}

export function createNotificationActivities(systems: SystemRegistry) {
  return {
    sendNotification: async (systemId: string, req: NotificationRequest): Promise<NotificationOutcome[]> => {
      const ctx = systems.get(systemId);
      const n = ctx.system.notifications;
      const http = { timeoutMs: n.request_timeout_seconds * 1000 };
      const channels: NotifyChannels = {};
      if (n.slack) {
        channels.slack = {
          webhookUrl: ctx.secret(n.slack.webhook_url, 'notifications.slack.webhook_url'),
          channel: n.slack.channel,
          username: n.slack.username,
          http,
        };
      }
      if (n.pagerduty && req.page) {
        channels.pagerduty = {
          eventsUrl: n.pagerduty.events_url,
          routingKey: ctx.secret(n.pagerduty.routing_key, 'notifications.pagerduty.routing_key'),
          dedupKey: incidentKey(systemId, req.page.incidentId),
          action: req.page.action,
          component: 'ingestion-pipeline',
          group: systemId,
          http,
        };
      }
      const outcomes = await notify(channels, {
        ...req.notice,
        system: ctx.system.name,
        ...(req.withContacts ? { contacts: ctx.system.escalation_contacts } : {}),
      });
      recordNotifications(activityMeter(), systemId, outcomes);
      return outcomes;
    },
  };
}
