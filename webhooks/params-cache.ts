// The params objects that policies name in `spec.paramRef` (ConfigMaps, DESIGN §4), cached from
// the cluster so a params lookup is in-memory per request, like Agents and Namespaces. One watch
// per named ConfigMap, narrowed by a field selector on its name (in the ref's namespace, or in
// every namespace when the ref leaves it to the request's), started when a policy names it and
// stopped when none does: the webhook reads only what policies reference, and a changed ConfigMap
// is in force as soon as its watch event arrives. A watch that cannot list or watch (403 when the
// chart's webhook.paramKinds does not grant configmaps) is reported once per change and retried;
// its lookups find nothing, so each policy's failurePolicy decides.
import {
  CoreV1Api,
  type KubeConfig,
  type KubernetesListObject,
  ListWatch,
  type V1ConfigMap,
  Watch,
} from '@kubernetes/client-node';
import type { CompiledPolicy, ParamRef } from '../policy/admission-policy/types.ts';

const RETRY_MS = 3000;
/** How long a policy change waits for the lists of newly named ConfigMaps before it applies. */
const FIRST_LIST_WAIT_MS = 5000;

export interface ParamsLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** `<namespace>/<name>`, `*` standing for the request's namespace. */
const keyOf = (ref: ParamRef) => `${ref.namespace ?? '*'}/${ref.name}`;

/** The paramRefs of `policies`, once each. */
export function paramRefsOf(policies: readonly CompiledPolicy[]): ParamRef[] {
  const refs = new Map<string, ParamRef>();
  for (const policy of policies) {
    if (policy.params && 'ref' in policy.params)
      refs.set(keyOf(policy.params.ref), policy.params.ref);
  }
  return [...refs.values()];
}

/** The paramRef of an AdmissionPolicy document as stored in the cluster, if it has a usable one. */
export function paramRefOfDocument(document: unknown): ParamRef | undefined {
  const ref = (document as { spec?: { paramRef?: { name?: unknown; namespace?: unknown } } } | null)
    ?.spec?.paramRef;
  if (typeof ref?.name !== 'string' || ref.name === '') return undefined;
  return typeof ref.namespace === 'string' && ref.namespace !== ''
    ? { name: ref.name, namespace: ref.namespace }
    : { name: ref.name };
}

/** What went wrong, from a client-node ApiException or watch error: status and server message. */
function describeFailure(error: unknown): { status: number | undefined; problem: string } {
  const failure = error as {
    code?: unknown;
    statusCode?: unknown;
    body?: unknown;
    message?: unknown;
  } | null;
  const status =
    typeof failure?.code === 'number'
      ? failure.code
      : typeof failure?.statusCode === 'number'
        ? failure.statusCode
        : undefined;
  const body = typeof failure?.body === 'string' ? safeJson(failure.body) : failure?.body;
  const serverMessage = (body as { message?: unknown } | undefined)?.message;
  if (typeof serverMessage === 'string') return { status, problem: serverMessage };
  // ApiException messages carry response headers: only the first line is kept
  const message = String(failure?.message ?? error).split('\n')[0] ?? '';
  return { status, problem: message };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The list + watch of one named ConfigMap. */
class ParamsWatch {
  private readonly informer: ListWatch<V1ConfigMap>;
  private failing: string | undefined;
  private attemptFailed = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    kubeConfig: KubeConfig,
    core: CoreV1Api,
    private readonly ref: ParamRef,
    private readonly logger: ParamsLogger,
  ) {
    const fieldSelector = `metadata.name=${ref.name}`;
    const namespace = ref.namespace;
    const path = namespace
      ? `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`
      : '/api/v1/configmaps';
    const list = async (): Promise<KubernetesListObject<V1ConfigMap>> => {
      const listed = namespace
        ? await core.listNamespacedConfigMap({ namespace, fieldSelector })
        : await core.listConfigMapForAllNamespaces({ fieldSelector });
      // as the watch delivers them: JSON, not client-node's typed objects (Dates for timestamps)
      return { ...listed, items: listed.items.map((item) => JSON.parse(JSON.stringify(item))) };
    };
    this.informer = new ListWatch<V1ConfigMap>(
      path,
      new Watch(kubeConfig),
      list,
      false,
      undefined,
      fieldSelector,
    );
    this.informer.on('error', (error: unknown) => this.failed(error));
  }

  /** Lists and starts watching; resolves once the list is in or has failed. */
  async run(): Promise<void> {
    this.attemptFailed = false;
    await this.informer.start();
    if (this.stopped || this.attemptFailed) return;
    if (this.failing !== undefined) {
      this.logger.info({ paramRef: keyOf(this.ref) }, 'params ConfigMap readable again');
    }
    this.failing = undefined;
  }

  get(name: string, namespace: string): V1ConfigMap | undefined {
    return this.informer.get(name, namespace);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.informer.stop();
  }

  private failed(error: unknown): void {
    this.attemptFailed = true;
    if (this.stopped) return;
    const { status, problem } = describeFailure(error);
    if (problem !== this.failing) {
      this.failing = problem;
      const where = this.ref.namespace ? `namespace "${this.ref.namespace}"` : 'any namespace';
      this.logger.warn(
        { paramRef: keyOf(this.ref), status, error: problem },
        status === 403
          ? `cannot read params ConfigMap "${this.ref.name}" in ${where}: forbidden; the webhook's ServiceAccount needs list and watch on configmaps (chart value webhook.paramKinds); policies naming it follow their failurePolicy until then`
          : `cannot read params ConfigMap "${this.ref.name}" in ${where}; retrying, policies naming it follow their failurePolicy until then`,
      );
    }
    this.retry = setTimeout(() => void this.run(), RETRY_MS);
    this.retry.unref();
  }
}

export class ParamsCache {
  private readonly core: CoreV1Api;
  private readonly watches = new Map<string, ParamsWatch>();

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly logger: ParamsLogger,
  ) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
  }

  /**
   * Watches exactly the ConfigMaps `refs` name: new ones are listed before this resolves (or have
   * failed and are being retried, or FIRST_LIST_WAIT_MS passed), ones no longer named are stopped.
   */
  async follow(refs: Iterable<ParamRef>): Promise<void> {
    const wanted = new Map<string, ParamRef>();
    for (const ref of refs) wanted.set(keyOf(ref), ref);
    const stopping: Promise<void>[] = [];
    for (const [key, watch] of this.watches) {
      if (wanted.has(key)) continue;
      this.watches.delete(key);
      stopping.push(watch.stop());
    }
    const starting: Promise<void>[] = [];
    for (const [key, ref] of wanted) {
      if (this.watches.has(key)) continue;
      const watch = new ParamsWatch(this.kubeConfig, this.core, ref, this.logger);
      this.watches.set(key, watch);
      starting.push(watch.run());
    }
    let waited: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...stopping, ...starting]),
      new Promise((resolve) => {
        waited = setTimeout(resolve, FIRST_LIST_WAIT_MS);
      }),
    ]);
    clearTimeout(waited);
  }

  /** The ConfigMap `ref` names in `namespace` (the ref's, else the request's), if cached. */
  lookup(ref: ParamRef, namespace: string): V1ConfigMap | undefined {
    return this.watches.get(keyOf(ref))?.get(ref.name, namespace);
  }

  /** The watched refs as `<namespace>/<name>` (`*` for the request's namespace). */
  watched(): string[] {
    return [...this.watches.keys()].sort();
  }

  async stop(): Promise<void> {
    const watches = [...this.watches.values()];
    this.watches.clear();
    await Promise.all(watches.map((watch) => watch.stop()));
  }
}
