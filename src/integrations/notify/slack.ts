// Slack incoming-webhook notices: one attachment per notice, coloured by severity, saying what
// happened, what the guardian is doing about it and what people should do next.
import { requestWithRetry, type HttpResponse, type RetryPolicy } from '../http.js';

export type Severity = 'info' | 'warning' | 'critical';

export interface Contact {
  role: string;
  name?: string;
  phone?: string;
  email?: string;
  slack?: string;
}

/** What people are told about an incident, whatever the channel. */
export interface Notice {
  system: string;
  severity: Severity;
  title: string;
  whatHappened: string;
  whatIsBeingDone: string;
  nextSteps: string[];
  temporalUrl?: string;
  contacts?: Contact[];
}

export interface SlackOptions {
  /** Legacy webhooks honour these overrides; app webhooks post to their own channel. */
  channel?: string;
  username?: string;
  iconEmoji?: string;
  footer?: string;
  /** Timestamp of the notice (default now). */
  now?: Date;
  http?: RetryPolicy;
}

export interface SlackField {
  title: string;
  value: string;
  short: boolean;
}

export interface SlackPayload {
  channel?: string;
  username?: string;
  icon_emoji?: string;
  text: string;
  attachments: {
    color: string;
    fallback: string;
    title: string;
    title_link?: string;
    fields: SlackField[];
    footer: string;
    ts: number;
  }[];
}

// Slack's named colours: 'good' renders #2eb886.
const colours: Record<Severity, string> = { info: 'good', warning: 'warning', critical: 'danger' };
const emoji: Record<Severity, string> = {
  info: ':information_source:',
  warning: ':warning:',
  critical: ':rotating_light:',
};

/** Slack treats &, < and > as control characters (links, mentions) in message text. */
const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const field = (title: string, value: string): SlackField => ({ title, value, short: false });

const contactLine = (c: Contact): string => {
  const details = [c.name, c.phone, c.email, c.slack].filter((v): v is string => Boolean(v)).map(escape);
  return details.length ? `${escape(c.role)}: ${details.join(' · ')}` : escape(c.role);
};

export function buildSlackPayload(message: Notice, opts: Omit<SlackOptions, 'http'> = {}): SlackPayload {
  const title = `[${message.system}] ${message.title}`;
  const fields = [
    field('What happened', escape(message.whatHappened)),
    field('What is being done', escape(message.whatIsBeingDone)),
    field('Next steps', message.nextSteps.map((step, i) => `${i + 1}. ${escape(step)}`).join('\n')),
  ];
  if (message.contacts?.length) {
    fields.push(field('Contacts', message.contacts.map(contactLine).join('\n')));
  }
  if (message.temporalUrl) fields.push(field('Temporal run', `<${message.temporalUrl}|Open in Temporal UI>`));
  return {
    ...(opts.channel ? { channel: opts.channel } : {}),
    ...(opts.username ? { username: opts.username } : {}),
    ...(opts.iconEmoji ? { icon_emoji: opts.iconEmoji } : {}),
    text: `${emoji[message.severity]} ${escape(title)}`,
    attachments: [
      {
        color: colours[message.severity],
        fallback: title,
        title: escape(title),
        ...(message.temporalUrl ? { title_link: message.temporalUrl } : {}),
        fields,
        footer: opts.footer ?? 'acode-guardian',
        ts: Math.floor((opts.now ?? new Date()).getTime() / 1000),
      },
    ],
  };
}

/** Posts the notice; the webhook URL is a secret and never appears in errors (see HttpError). */
export function sendSlack(webhookUrl: string, message: Notice, opts: SlackOptions = {}): Promise<HttpResponse> {
  return requestWithRetry({ ...opts.http, method: 'POST', url: webhookUrl, json: buildSlackPayload(message, opts) });
}
