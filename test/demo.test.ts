// The embedded demo on the real stack: it narrates a real failover and leaves the sandbox healed.
import { ScheduleNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../src/activities/index.js';
import { demoConfig, runDemo } from '../src/demo/demo.js';
import { monitoringScheduleId } from '../src/workflows/definitions.js';
import { simulator } from './support/airbyte.js';
import { devServerEnv } from './support/temporal.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await simulator.reset();
  await env?.teardown();
});

describe('demo', () => {
  it('narrates the primary failure through to the failover, then heals the sandbox', async () => {
    const printed: string[] = [];
    const report = await runDemo({
      keep: false,
      intervalSeconds: 5,
      timeoutMs: 180_000,
      print: (l) => void printed.push(l),
    });
    const text = printed.join('\n');

    expect(report.recovery.outcome).toBe('failed_over');
    expect(report.recoveryLink).toMatch(
      /^http:\/\/127\.0\.0\.1:8233\/namespaces\/default\/workflows\/recovery-acode-demo\//,
    );
    expect(report.seconds.toRecovery).toBeLessThan(report.seconds.toOutcome);
    expect(report.notifications).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Slack: .*Backup system activated/),
        expect.stringMatching(/^Slack: .*Auto-recovery succeeded/),
      ]),
    );
    // The story, in order, each line with its timestamps. (The health run's verdict may print just
    // after the recovery it signalled is seen starting: both are told as they happen.)
    expect(text.indexOf('classified mysql_server_down')).toBeGreaterThan(text.indexOf('stopping the MariaDB primary'));
    const steps = [
      'health check: all systems healthy',
      'stopping the MariaDB primary',
      'recovery started: recovery-acode-demo',
      'failover: backup connection activated',
      'failover: backup validated: clean',
      'outcome: failed_over',
      '== 5. Summary',
      'connections restored',
    ];
    const at = steps.map((s) => text.indexOf(s));
    expect(
      at.every((i) => i >= 0),
      steps.filter((_, i) => (at[i] ?? -1) < 0).join(', '),
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(printed.find((l) => l.includes('stopping the MariaDB primary'))).toMatch(/^\d\d:\d\d:\d\d \+ *\d+\.\ds {2}/);

    // Healed: primary answers, connections as before, the demo schedule gone.
    const { config, system } = await demoConfig();
    const [connectivity] = await createActivities(config).runChecks(system.id, [
      { check: 'mysql_connectivity', side: 'primary' },
    ]);
    expect(connectivity?.status).toBe('healthy');
    const state = await simulator.state();
    expect(state.connections.map((c) => [c.connectionId, c.status])).toEqual([
      ['connection_mysql_s3_acode', 'active'],
      ['connection_mysql_s3_acode_backup', 'inactive'],
    ]);
    await expect(env.client.schedule.getHandle(monitoringScheduleId(system.id)).describe()).rejects.toBeInstanceOf(
      ScheduleNotFoundError,
    );
  }, 240_000);
});
