// Signal-with-start of a system's auto-recovery workflow (a workflow cannot do it itself): one
// recovery per system under a stable id, so a running one receives the signal and never gets a
// twin. Safe to retry: the server's default for signal-with-start is to use the existing run.
import { Context } from '@temporalio/activity';
import type { FailureContext } from '../workflows/definitions.js';
import { failureObservedSignal, recoveryWorkflowId, searchAttributeKeys } from '../workflows/definitions.js';
import type { RecoverySettings } from './settings.js';

export function createRecoveryTriggerActivities(settingsOf: (systemId: string) => RecoverySettings) {
  return {
    signalRecovery: async (
      systemId: string,
      failure: FailureContext,
    ): Promise<{ workflowId: string; runId: string }> => {
      const { client, info } = Context.current();
      const workflowId = recoveryWorkflowId(systemId);
      const handle = await client.workflow.signalWithStart('autoRecovery', {
        workflowId,
        taskQueue: info.taskQueue,
        args: [{ systemId, settings: settingsOf(systemId) }],
        signal: failureObservedSignal,
        signalArgs: [failure],
        typedSearchAttributes: [
          { key: searchAttributeKeys.system, value: systemId },
          { key: searchAttributeKeys.failureType, value: failure.failureType },
        ],
        memo: { system: systemId, startedBy: info.workflowExecution?.workflowId ?? 'operator' },
      });
      return { workflowId, runId: handle.signaledRunId };
    },
  };
}
