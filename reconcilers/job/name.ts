// The worker Job's name: deterministic per Task and attempt, so a controller restart finds the Job
// it already made instead of creating a second one (reference §6.1, DESIGN §6).

const MAX_NAME_LENGTH = 63;

/** `<task name>-job-<first 8 chars of the Task UID>-<attempt>`, the Task name cut to fit 63. */
export function workerJobName(taskName: string, taskUid: string, attempt: number): string {
  const suffix = `-job-${taskUid.slice(0, 8)}-${attempt}`;
  const room = MAX_NAME_LENGTH - suffix.length;
  const prefix =
    taskName.length > room
      ? taskName.slice(0, room).replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') || 'task'
      : taskName;
  return `${prefix}${suffix}`;
}
