// What activities log and measure with: every line logged while an activity runs (its own, the
// SDK's, the integrations') carries the system it works on and the workflow run that asked for it;
// metrics go to the activity's meter, or nowhere when the code runs outside a worker (the CLI's
// `check` runs the same activity functions in-process).
import { asyncLocalStorage } from '@temporalio/activity';
import { noopMetricMeter, type MetricMeter } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { logContext, type LogContext } from './logger.js';

export const activityMeter = (): MetricMeter => asyncLocalStorage.getStore()?.metricMeter ?? noopMetricMeter;

/** Activities take the system id as their first argument (see src/activities). */
export const activityLogContext: ActivityInterceptorsFactory = (ctx) => {
  const { workflowExecution } = ctx.info;
  const fields: LogContext = workflowExecution
    ? { workflowId: workflowExecution.workflowId, runId: workflowExecution.runId }
    : {};
  return {
    inbound: {
      execute: (input, next) => {
        if (typeof input.args[0] === 'string') fields.system = input.args[0];
        return logContext.run(fields, () => next(input));
      },
    },
    // The SDK's own lines about the activity (completed, failed) are logged outside `execute`.
    outbound: { getLogAttributes: (attributes, next) => next({ ...attributes, ...fields }) },
  };
};
