// Workflow interceptors of the worker (WorkerOptions.interceptors.workflowModules): every line a
// workflow logs, the SDK's lifecycle lines included, carries the system beside the workflow and
// run ids the SDK adds. The system is the input's systemId (every workflow here takes one), or the
// AcodeSystem search attribute for the lines logged before the input is read.
import { workflowInfo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { searchAttributeKeys } from './definitions.js';

const systemIdOf = (input: unknown): string | undefined =>
  typeof input === 'object' && input !== null && 'systemId' in input && typeof input.systemId === 'string'
    ? input.systemId
    : undefined;

export const interceptors: WorkflowInterceptorsFactory = () => {
  let system: string | undefined;
  return {
    inbound: [
      {
        execute: (input, next) => {
          system = systemIdOf(input.args[0]);
          return next(input);
        },
      },
    ],
    outbound: [
      {
        getLogAttributes: (attributes, next) => {
          const id = system ?? workflowInfo().typedSearchAttributes.get(searchAttributeKeys.system);
          return next(id ? { ...attributes, system: id } : attributes);
        },
      },
    ],
  };
};
