import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RetryPolicy } from '../src/integrations/http.js';
import { notify, type NotifyChannels } from '../src/integrations/notify/index.js';
import {
  buildPagerDutyEvent,
  incidentKey,
  pagerDutyEvent,
  type PagerDutyBody,
  type PagerDutyEvent,
} from '../src/integrations/notify/pagerduty.js';
import { buildSlackPayload, sendSlack, type Notice, type SlackPayload } from '../src/integrations/notify/slack.js';
import { WebhookSinkClient } from '../src/stack/webhook-sink-client.js';

const sink = new WebhookSinkClient();
const now = new Date('2026-03-01T12:00:00Z');
const temporalUrl = 'http://127.0.0.1:8233/namespaces/default/workflows/acode-recovery-1/run-1/history';
const fast: RetryPolicy = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 10, timeoutMs: 1000 };

const notice: Notice = {
  system: 'acode',
  severity: 'critical',
  title: 'Primary MySQL down',
  whatHappened: 'db-hsp-farmarcas refused connections 3 times in a row',
  whatIsBeingDone: 'Activating the backup connection',
  nextSteps: ['Check the primary host', 'Contact ACODE support'],
  temporalUrl,
};

/** A secret webhook URL of its own per test, on the sink. */
const slackUrl = (): { url: string; path: string; secret: string } => {
  const secret = randomUUID().replaceAll('-', '');
  const path = `/slack/${randomUUID()}/services/T0000/B0000/${secret}`;
  return { url: `${sink.baseUrl}${path}`, path, secret };
};
const pagerDutyUrl = (): { url: string; path: string } => {
  const path = `/pagerduty/${randomUUID()}/v2/enqueue`;
  return { url: `${sink.baseUrl}${path}`, path };
};
const bodies = async <T>(path: string): Promise<T[]> => (await sink.requests(path)).map((r) => JSON.parse(r.body) as T);

describe('buildSlackPayload', () => {
  const cases: { severity: Notice['severity']; color: string; emoji: string }[] = [
    { severity: 'info', color: 'good', emoji: ':information_source:' },
    { severity: 'warning', color: 'warning', emoji: ':warning:' },
    { severity: 'critical', color: 'danger', emoji: ':rotating_light:' },
  ];
  it.each(cases)('$severity is coloured $color', ({ severity, color, emoji }) => {
    const payload = buildSlackPayload({ ...notice, severity }, { now });
    expect(payload.attachments[0]?.color).toBe(color);
    expect(payload.text).toBe(`${emoji} [acode] Primary MySQL down`);
  });

  it('says what happened, what is being done and what to do next, with the run link', () => {
    const payload = buildSlackPayload(notice, {
      channel: '#data-engineering-alerts',
      username: 'ACODE Emergency System',
      iconEmoji: ':warning:',
      now,
    });
    expect(payload).toEqual<SlackPayload>({
      channel: '#data-engineering-alerts',
      username: 'ACODE Emergency System',
      icon_emoji: ':warning:',
      text: ':rotating_light: [acode] Primary MySQL down',
      attachments: [
        {
          color: 'danger',
          fallback: '[acode] Primary MySQL down',
          title: '[acode] Primary MySQL down',
          title_link: temporalUrl,
          fields: [
            { title: 'What happened', value: notice.whatHappened, short: false },
            { title: 'What is being done', value: notice.whatIsBeingDone, short: false },
            { title: 'Next steps', value: '1. Check the primary host\n2. Contact ACODE support', short: false },
            { title: 'Temporal run', value: `<${temporalUrl}|Open in Temporal UI>`, short: false },
          ],
          footer: 'acode-guardian',
          ts: now.getTime() / 1000,
        },
      ],
    });
  });

  const optional: { name: string; input: Notice; fields: string[] }[] = [
    {
      name: 'no run link',
      input: { ...notice, temporalUrl: undefined },
      fields: ['What happened', 'What is being done', 'Next steps'],
    },
    {
      name: 'contacts',
      input: {
        ...notice,
        contacts: [
          { role: 'CTO', phone: '+55 11 99999-0004' },
          { role: 'ACODE Support', email: 'acode-support@partner.com' },
        ],
      },
      fields: ['What happened', 'What is being done', 'Next steps', 'Contacts', 'Temporal run'],
    },
  ];
  it.each(optional)('fields with $name', ({ input, fields }) => {
    const [attachment] = buildSlackPayload(input, { now }).attachments;
    expect(attachment?.fields.map((f) => f.title)).toEqual(fields);
  });

  it('renders contacts one per line and escapes Slack control characters', () => {
    const payload = buildSlackPayload(
      {
        ...notice,
        whatHappened: 'lag > 10 min & <!channel>',
        contacts: [{ role: 'On-call', name: 'Ana', slack: '@data-oncall' }, { role: 'CTO' }],
      },
      { now },
    );
    const fields = payload.attachments[0]?.fields ?? [];
    expect(fields.find((f) => f.title === 'What happened')?.value).toBe('lag &gt; 10 min &amp; &lt;!channel&gt;');
    expect(fields.find((f) => f.title === 'Contacts')?.value).toBe('On-call: Ana · @data-oncall\nCTO');
    expect(payload).not.toHaveProperty('channel');
  });
});

describe('buildPagerDutyEvent', () => {
  const dedupKey = incidentKey('acode', 'recovery-1');
  const trigger: PagerDutyEvent = {
    action: 'trigger',
    dedupKey,
    summary: '[acode] Primary MySQL down',
    source: 'db-hsp-farmarcas.acode.com.br',
    severity: 'critical',
    component: 'mysql',
    group: 'acode',
    class: 'mysql_server_down',
    customDetails: { consecutive_failures: 3 },
    temporalUrl,
    timestamp: now.toISOString(),
  };
  const cases: { name: string; event: PagerDutyEvent; expected: PagerDutyBody }[] = [
    {
      name: 'trigger',
      event: trigger,
      expected: {
        routing_key: 'rk',
        event_action: 'trigger',
        dedup_key: dedupKey,
        payload: {
          summary: '[acode] Primary MySQL down',
          source: 'db-hsp-farmarcas.acode.com.br',
          severity: 'critical',
          timestamp: now.toISOString(),
          component: 'mysql',
          group: 'acode',
          class: 'mysql_server_down',
          custom_details: { consecutive_failures: 3 },
        },
        links: [{ href: temporalUrl, text: 'Temporal UI run' }],
      },
    },
    {
      name: 'minimal trigger',
      event: {
        action: 'trigger',
        dedupKey,
        summary: 's',
        source: 'acode',
        severity: 'info',
        timestamp: now.toISOString(),
      },
      expected: {
        routing_key: 'rk',
        event_action: 'trigger',
        dedup_key: dedupKey,
        payload: { summary: 's', source: 'acode', severity: 'info', timestamp: now.toISOString() },
      },
    },
    {
      name: 'acknowledge',
      event: { action: 'acknowledge', dedupKey },
      expected: { routing_key: 'rk', event_action: 'acknowledge', dedup_key: dedupKey },
    },
    {
      name: 'resolve',
      event: { action: 'resolve', dedupKey },
      expected: { routing_key: 'rk', event_action: 'resolve', dedup_key: dedupKey },
    },
  ];
  it.each(cases)('$name', ({ event, expected }) => {
    expect(buildPagerDutyEvent('rk', event)).toEqual(expected);
  });

  it('truncates the summary to the API limit', () => {
    const body = buildPagerDutyEvent('rk', { ...trigger, summary: 'x'.repeat(2000) });
    expect(body.payload?.summary).toHaveLength(1024);
  });
});

describe('incidentKey', () => {
  it('is stable per incident and distinct across incidents and systems', () => {
    expect(incidentKey('acode', 'r1')).toBe(incidentKey('acode', 'r1'));
    expect(incidentKey('acode', 'r1')).not.toBe(incidentKey('acode', 'r2'));
    expect(incidentKey('acode', 'r1')).not.toBe(incidentKey('other', 'r1'));
  });

  it('stays within 255 characters, still stable', () => {
    const long = 'i'.repeat(400);
    expect(incidentKey('acode', long).length).toBeLessThanOrEqual(255);
    expect(incidentKey('acode', long)).toBe(incidentKey('acode', long));
    expect(incidentKey('acode', long)).not.toBe(incidentKey('acode', `${long}x`));
  });
});

describe('Slack and PagerDuty over HTTP', () => {
  it('posts the Slack payload to the webhook', async () => {
    const slack = slackUrl();
    const res = await sendSlack(slack.url, notice, { channel: '#data-engineering-alerts', now, http: fast });
    expect(res.status).toBe(200);
    expect(await bodies(slack.path)).toEqual([buildSlackPayload(notice, { channel: '#data-engineering-alerts', now })]);
  });

  it('pages once per incident: trigger, acknowledge and resolve share the dedup key', async () => {
    const pd = pagerDutyUrl();
    const dedupKey = incidentKey('acode', randomUUID());
    const events: PagerDutyEvent[] = [
      {
        action: 'trigger',
        dedupKey,
        summary: '[acode] Primary MySQL down',
        source: 'acode',
        severity: 'critical',
        temporalUrl,
      },
      { action: 'acknowledge', dedupKey },
      { action: 'resolve', dedupKey },
    ];
    for (const event of events) {
      expect(await pagerDutyEvent(pd.url, 'routing-key-1', event, fast)).toEqual({
        status: 202,
        attempts: 1,
        dedupKey,
      });
    }
    const received = await bodies<PagerDutyBody>(pd.path);
    expect(received.map((b) => [b.event_action, b.dedup_key, b.routing_key])).toEqual([
      ['trigger', dedupKey, 'routing-key-1'],
      ['acknowledge', dedupKey, 'routing-key-1'],
      ['resolve', dedupKey, 'routing-key-1'],
    ]);
    expect(received[0]?.links).toEqual([{ href: temporalUrl, text: 'Temporal UI run' }]);
  });

  it('retries a PagerDuty 429', async () => {
    const pd = pagerDutyUrl();
    await sink.inject({ pathPrefix: pd.path, count: 1, fault: { kind: 'status', status: 429 } });
    const res = await pagerDutyEvent(pd.url, 'rk', { action: 'resolve', dedupKey: 'k' }, fast);
    expect(res).toEqual({ status: 202, attempts: 2, dedupKey: 'k' });
  });
});

describe('notify', () => {
  const channels = (
    slack: { url: string },
    pd: { url: string },
    routingKey: string,
    dedupKey: string,
  ): NotifyChannels => ({
    slack: {
      webhookUrl: slack.url,
      channel: '#data-engineering-alerts',
      username: 'ACODE Emergency System',
      now,
      http: fast,
    },
    pagerduty: { eventsUrl: pd.url, routingKey, dedupKey, component: 'mysql', class: 'mysql_server_down', http: fast },
  });

  it('delivers to every channel', async () => {
    const slack = slackUrl();
    const pd = pagerDutyUrl();
    const dedupKey = incidentKey('acode', randomUUID());
    const outcomes = await notify(channels(slack, pd, 'rk-ok', dedupKey), notice);
    expect(outcomes).toEqual([
      { channel: 'slack', ok: true, status: 200, attempts: 1 },
      { channel: 'pagerduty', ok: true, status: 202, attempts: 1 },
    ]);
    const [slackBody] = await bodies<SlackPayload>(slack.path);
    expect(slackBody?.username).toBe('ACODE Emergency System');
    const [pdBody] = await bodies<PagerDutyBody>(pd.path);
    expect(pdBody).toMatchObject({
      event_action: 'trigger',
      dedup_key: dedupKey,
      payload: {
        summary: '[acode] Primary MySQL down',
        source: 'acode',
        severity: 'critical',
        component: 'mysql',
        class: 'mysql_server_down',
        custom_details: { what_happened: notice.whatHappened, next_steps: notice.nextSteps },
      },
      links: [{ href: temporalUrl, text: 'Temporal UI run' }],
    });
  });

  it('sends acknowledge and resolve with the incident key only', async () => {
    const pd = pagerDutyUrl();
    const dedupKey = incidentKey('acode', randomUUID());
    for (const action of ['acknowledge', 'resolve'] as const) {
      const [outcome] = await notify(
        { pagerduty: { eventsUrl: pd.url, routingKey: 'rk', dedupKey, action, http: fast } },
        notice,
      );
      expect(outcome).toMatchObject({ channel: 'pagerduty', ok: true });
    }
    expect(await bodies(pd.path)).toEqual([
      { routing_key: 'rk', event_action: 'acknowledge', dedup_key: dedupKey },
      { routing_key: 'rk', event_action: 'resolve', dedup_key: dedupKey },
    ]);
  });

  it('reports a failing channel while the other still delivers, without the secret', async () => {
    const slack = slackUrl();
    const pd = pagerDutyUrl();
    await sink.inject({ pathPrefix: slack.path, count: 2, fault: { kind: 'status', status: 500 } });
    const outcomes = await notify(channels(slack, pd, 'rk', incidentKey('acode', randomUUID())), notice);
    expect(outcomes).toEqual([
      { channel: 'slack', ok: false, status: 500, attempts: 2, error: expect.stringContaining('HTTP 500') as unknown },
      { channel: 'pagerduty', ok: true, status: 202, attempts: 1 },
    ]);
    expect(JSON.stringify(outcomes)).not.toContain(slack.secret);
  });

  it('never throws, and keeps secrets out of the outcomes', async () => {
    const routingKey = `rk-${randomUUID()}`;
    const cases: NotifyChannels[] = [
      // Nothing listens on port 1: connection refused on every attempt.
      channels(
        { url: 'http://127.0.0.1:1/slack/services/T/B/secret-one' },
        { url: 'http://127.0.0.1:1/pagerduty/v2/enqueue' },
        routingKey,
        'k',
      ),
      channels({ url: 'not a url secret-two' }, { url: '' }, routingKey, 'k'),
    ];
    for (const c of cases) {
      const outcomes = await notify(c, notice);
      expect(outcomes.map((o) => [o.channel, o.ok])).toEqual([
        ['slack', false],
        ['pagerduty', false],
      ]);
      for (const secret of ['secret-one', 'secret-two', routingKey])
        expect(JSON.stringify(outcomes)).not.toContain(secret);
    }
  });

  it('reports a hung PagerDuty as failed once its attempts time out', async () => {
    const pd = pagerDutyUrl();
    await sink.inject({ pathPrefix: pd.path, count: 2, fault: { kind: 'hang' } });
    const [outcome] = await notify(
      { pagerduty: { eventsUrl: pd.url, routingKey: 'rk', dedupKey: 'k', http: { ...fast, timeoutMs: 200 } } },
      notice,
    );
    expect(outcome).toMatchObject({
      channel: 'pagerduty',
      ok: false,
      attempts: 2,
      error: expect.stringContaining('UND_ERR_HEADERS_TIMEOUT') as unknown,
    });
  });

  it('sends nothing when no channel is configured', async () => {
    expect(await notify({}, notice)).toEqual([]);
  });
});
