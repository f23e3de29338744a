{{/* Base name of every object: "orka" for a release named orka. */}}
{{- define "orka.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else if contains "orka" .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-orka" .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "orka.name" -}}
{{- default "orka" .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "orka.labels" -}}
app.kubernetes.io/name: {{ include "orka.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- with .Values.labels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component (controller or webhook); pass (list $ "controller"). */}}
{{- define "orka.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "orka.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "orka.controllerServiceAccount" -}}
{{- default (include "orka.fullname" .) .Values.serviceAccount.controller.name -}}
{{- end -}}

{{- define "orka.webhookServiceAccount" -}}
{{- default (printf "%s-webhook" (include "orka.fullname" .)) .Values.serviceAccount.webhook.name -}}
{{- end -}}

{{- define "orka.apiService" -}}
{{- printf "%s-api" (include "orka.fullname" .) -}}
{{- end -}}

{{/*
Names the orka program itself knows (it has no flag for them), fixed whatever the release name:
the webhook Service (the DNS name in the serving certificate), the Secret where the controller's
certificate manager keeps the CA and serving certificate, and the ClusterRole the controller binds
to each namespace's orka-worker ServiceAccount.
*/}}
{{- define "orka.webhookService" -}}
orka-webhook
{{- end -}}

{{- define "orka.webhookTlsSecret" -}}
orka-webhook-tls
{{- end -}}

{{- define "orka.workerClusterRole" -}}
orka-worker
{{- end -}}

{{- define "orka.image" -}}
{{- $image := index . 0 -}}
{{- $root := index . 1 -}}
{{- printf "%s:%s" $image.repository (default $root.Chart.AppVersion $image.tag) -}}
{{- end -}}

{{- define "orka.controllerImage" -}}
{{- include "orka.image" (list .Values.controller.image .) -}}
{{- end -}}

{{- define "orka.webhookImage" -}}
{{- $image := .Values.webhook.image -}}
{{- if $image.repository -}}
{{- include "orka.image" (list $image .) -}}
{{- else -}}
{{- include "orka.controllerImage" . -}}
{{- end -}}
{{- end -}}

{{/*
Flags that change what admission decides (cli/controller-flags.ts admissionFlags). Controller and
webhook render the same ones so the webhook admits what the controller will run.
*/}}
{{- define "orka.admissionArgs" -}}
{{- $c := .Values.controller -}}
- {{ printf "--controller-namespace=%v" (.Release.Namespace) | quote }}
- {{ printf "--controller-service-account=%v" (include "orka.controllerServiceAccount" .) | quote }}
{{- if $c.enforceNamespaceIsolation }}
- "--enforce-namespace-isolation=true"
{{- end }}
{{- if gt (int $c.maxTasksPerNamespace) 0 }}
- {{ printf "--max-tasks-per-namespace=%v" (int $c.maxTasksPerNamespace) | quote }}
{{- end }}
- {{ printf "--task-provenance-admission-enabled=%v" ($c.taskProvenance.enabled) | quote }}
{{- with $c.taskProvenance.trustedUsers }}
- {{ printf "--task-provenance-admission-trusted-users=%v" (join "," .) | quote }}
{{- end }}
{{- with $c.taskProvenance.trustedServiceAccounts }}
- {{ printf "--task-provenance-admission-trusted-service-accounts=%v" (join "," .) | quote }}
{{- end }}
{{- with $c.agentSandbox }}
{{- if .enabled }}
- "--agent-sandbox-enabled=true"
{{- if .routerUrl }}
- {{ printf "--agent-sandbox-router-url=%v" (.routerUrl) | quote }}
{{- end }}
{{- if .defaultTemplate }}
- {{ printf "--agent-sandbox-default-template=%v" (.defaultTemplate) | quote }}
{{- end }}
- {{ printf "--agent-sandbox-warm-pool-policy=%v" (.warmPoolPolicy) | quote }}
- {{ printf "--agent-sandbox-namespace-strategy=%v" (.namespaceStrategy) | quote }}
- {{ printf "--agent-sandbox-claim-timeout=%v" (.claimTimeout) | quote }}
- {{ printf "--agent-sandbox-command-timeout=%v" (.commandTimeout) | quote }}
- {{ printf "--agent-sandbox-cleanup-policy=%v" (.cleanupPolicy) | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Flags of the reconcilers, the REST API and the store (cli/controller-flags.ts controllerFlags). */}}
{{- define "orka.controllerArgs" -}}
{{- $c := .Values.controller -}}
- {{ printf "--api-port=%v" (int $c.apiPort) | quote }}
- {{ printf "--controller-url=%v" (default (printf "http://%s.%s.svc:%d" (include "orka.apiService" .) .Release.Namespace (int .Values.service.port)) $c.controllerUrl) | quote }}
- {{ printf "--store-path=%v" (.Values.store.path) | quote }}
- {{ printf "--job-ttl-seconds-after-finished=%v" (int $c.jobTtlSecondsAfterFinished) | quote }}
{{- range $runtime := list "claude" "codex" "copilot" }}
- {{ printf "--%s-worker-image=%s" $runtime (include "orka.image" (list (index $.Values.workers $runtime).image $)) | quote }}
{{- end }}
{{- if .Values.workers.codex.sandboxMode }}
- {{ printf "--codex-sandbox-mode=%v" (.Values.workers.codex.sandboxMode) | quote }}
{{- end }}
{{- if $c.watchNamespace }}
- {{ printf "--watch-namespace=%v" ($c.watchNamespace) | quote }}
{{- end }}
{{- with $c.oidc }}
{{- if .issuer }}
- {{ printf "--oidc-issuer=%v" (.issuer) | quote }}
{{- end }}
{{- if .audience }}
- {{ printf "--oidc-audience=%v" (.audience) | quote }}
{{- end }}
{{- if .jwksUrl }}
- {{ printf "--oidc-jwks-url=%v" (.jwksUrl) | quote }}
{{- end }}
{{- if .namespaceClaim }}
- {{ printf "--oidc-namespace-claim=%v" (.namespaceClaim) | quote }}
{{- end }}
{{- end }}
{{- with $c.contextToken }}
{{- if .profile }}
- {{ printf "--context-token-profile=%v" (.profile) | quote }}
{{- if .issuer }}
- {{ printf "--context-token-issuer=%v" (.issuer) | quote }}
{{- end }}
{{- if .audience }}
- {{ printf "--context-token-audience=%v" (.audience) | quote }}
{{- end }}
{{- if .jwksUrl }}
- {{ printf "--context-token-jwks-url=%v" (.jwksUrl) | quote }}
{{- end }}
{{- if .headers }}
- {{ printf "--context-token-headers=%v" (.headers) | quote }}
{{- end }}
{{- if .authzMode }}
- {{ printf "--context-token-authz-mode=%v" (.authzMode) | quote }}
{{- end }}
{{- range $class, $scopes := .scopes }}
{{- if $scopes }}
- {{ printf "--context-token-%s-scopes=%s" (kebabcase $class) $scopes | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The pod and container security contexts of seed 002 (uid 65532, read-only root). */}}
{{- define "orka.podSecurityContext" -}}
{{ toYaml .Values.podSecurityContext }}
{{- end -}}

{{- define "orka.containerSecurityContext" -}}
{{ toYaml .Values.securityContext }}
{{- end -}}

{{/* "true" when an IPv4 CIDR contains the cloud metadata address 169.254.169.254. */}}
{{- define "orka.coversMetadata" -}}
{{- $parts := splitList "/" . -}}
{{- $octets := splitList "." (first $parts) -}}
{{- if and (eq (len $parts) 2) (eq (len $octets) 4) -}}
{{- $address := 0 -}}
{{- range $octets -}}
{{- $address = add (mul $address 256) (atoi .) -}}
{{- end -}}
{{- $block := 1 -}}
{{- range until (sub 32 (atoi (last $parts)) | int) -}}
{{- $block = mul $block 2 -}}
{{- end -}}
{{- $metadata := 2852039166 -}}
{{- eq (div $address $block) (div $metadata $block) -}}
{{- else -}}
false
{{- end -}}
{{- end -}}
