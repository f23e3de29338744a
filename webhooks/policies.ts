// The policies the webhook enforces: built-ins switched by flags, custom policies from files
// (--policies, re-read when they change) and, with cluster access, AdmissionPolicy objects from the
// cluster (fed by webhooks/cluster.ts). A file that stops compiling keeps the last good set in
// force; a cluster policy that does not compile is skipped and counted. /mutate runs a
// mutation-only view of the same policies: validations belong to /validate.
import { statSync } from 'node:fs';
import { admitPolicy } from '../policy/admission-policy/admit-policy.ts';
import { compilePolicy, type ExpressionCompiler } from '../policy/admission-policy/compile.ts';
import { createExpressionCompiler } from '../policy/admission-policy/expression-compiler.ts';
import type { CompiledPolicy } from '../policy/admission-policy/types.ts';
import { compileBuiltins, enabledBuiltins } from '../policy/builtin/index.ts';
import type { PolicySet } from '../policy/chain/admit.ts';
import { type PolicyConfig, policyConfigFromFlags } from '../policy/chain/config.ts';
import { loadPolicies, policyFiles } from '../policy/loading.ts';
import type { WebhookMetrics } from './metrics.ts';

export interface PolicyLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface PolicyStoreOptions {
  /** controller flag values by name (policy/chain/config.ts) */
  flags: Readonly<Record<string, unknown>>;
  paths: readonly string[];
  builtin?: boolean;
  compiler?: ExpressionCompiler;
  metrics?: WebhookMetrics;
  logger?: PolicyLogger;
}

export interface ActivePolicies {
  validate: PolicySet;
  mutate: PolicySet;
}

const mutationOnly = (policy: CompiledPolicy): CompiledPolicy => ({
  ...policy,
  validations: [],
  auditAnnotations: [],
});

const byName = (a: CompiledPolicy, b: CompiledPolicy) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

const nameOf = (document: unknown) =>
  String((document as { metadata?: { name?: unknown } } | null)?.metadata?.name ?? '<unnamed>');

export class PolicyStore {
  readonly config: PolicyConfig;
  readonly compiler: ExpressionCompiler;
  private readonly builtin: CompiledPolicy[];
  private filePolicies: CompiledPolicy[] = [];
  private clusterPolicies: CompiledPolicy[] = [];
  private active: ActivePolicies;
  private fileStamp = '';
  private timer: NodeJS.Timeout | undefined;

  /** Compiles built-ins and file policies; throws PolicyLoadError when a file policy is refused. */
  constructor(private readonly options: PolicyStoreOptions) {
    this.compiler = options.compiler ?? createExpressionCompiler();
    this.config = policyConfigFromFlags(options.flags);
    this.builtin =
      options.builtin === false ? [] : enabledBuiltins(compileBuiltins(this.compiler), this.config);
    this.filePolicies = this.readFiles();
    this.active = this.assemble();
  }

  get policies(): ActivePolicies {
    return this.active;
  }

  /** Re-reads the policy files if any changed; a refused file is logged and the old set kept. */
  reloadFiles(): boolean {
    const stamp = this.stampFiles();
    if (stamp === this.fileStamp) return false;
    try {
      this.filePolicies = this.readFiles();
    } catch (error) {
      this.fileStamp = stamp;
      this.options.metrics?.compileFailures.inc({ source: 'file' });
      this.options.logger?.warn(
        { error: (error as Error).message },
        'policy files refused; previous policies stay in force',
      );
      return false;
    }
    this.active = this.assemble();
    this.options.logger?.info({ custom: this.filePolicies.length }, 'policy files reloaded');
    return true;
  }

  /** Replaces the cluster's AdmissionPolicies; those that are refused are skipped and counted. */
  setClusterPolicies(documents: readonly unknown[]): void {
    const fileNames = new Set(this.filePolicies.map((policy) => policy.name));
    const compiled: CompiledPolicy[] = [];
    for (const document of documents) {
      const name = nameOf(document);
      if (fileNames.has(name)) continue;
      const verdict = admitPolicy(document, this.compiler);
      if (!verdict.allowed) {
        this.options.metrics?.compileFailures.inc({ source: 'cluster' });
        this.options.logger?.warn(
          { policy: name, errors: verdict.errors },
          'cluster AdmissionPolicy skipped',
        );
        continue;
      }
      compiled.push(compilePolicy(document, this.compiler));
    }
    this.clusterPolicies = compiled;
    this.active = this.assemble();
  }

  /** Polls the policy files for changes. */
  watchFiles(intervalMs = 2000): void {
    if (this.options.paths.length === 0) return;
    this.timer ??= setInterval(() => this.reloadFiles(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private readFiles(): CompiledPolicy[] {
    this.fileStamp = this.stampFiles();
    return loadPolicies(this.options.paths, this.compiler);
  }

  /** Names, sizes and modification times of the policy files: changes when any of them does. */
  private stampFiles(): string {
    try {
      return policyFiles(this.options.paths)
        .map((file) => {
          const stat = statSync(file);
          return `${file}:${stat.size}:${stat.mtimeMs}`;
        })
        .join('|');
    } catch (error) {
      return `unreadable: ${(error as Error).message}`;
    }
  }

  private assemble(): ActivePolicies {
    // sorted here once, so the chain finds them in the order it evaluates them
    const custom = [...this.filePolicies, ...this.clusterPolicies].sort(byName);
    this.options.metrics?.policiesLoaded.set({ kind: 'builtin' }, this.builtin.length);
    this.options.metrics?.policiesLoaded.set({ kind: 'custom' }, custom.length);
    return {
      validate: { builtin: this.builtin, custom },
      mutate: { builtin: this.builtin.map(mutationOnly), custom: custom.map(mutationOnly) },
    };
  }
}
