// Helpers that read the running workflow: workflow code only.
import { workflowInfo } from '@temporalio/workflow';
import { temporalRunUrl } from './ui-link.js';

/** This run's history page in the Temporal Web UI. */
export function thisRunUrl(uiUrl: string): string {
  const { namespace, workflowId, runId } = workflowInfo();
  return temporalRunUrl(uiUrl, namespace, workflowId, runId);
}

/** Appends lines to `lines` stamped with workflow time, which replays identically. */
export function timestampedAppender(lines: string[]): (line: string) => void {
  return (line) => void lines.push(`${new Date().toISOString()} ${line}`);
}
