/**
 * A Task, Agent or configuration the builder cannot turn into a Job. `message` names the field and
 * says what is wrong; the reconciler records it on the Task, `orka render job` prints it.
 */
export class WorkerJobError extends Error {
  override name = 'WorkerJobError';
}
