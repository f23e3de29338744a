{{/*
Pod annotations of one component: the standard prometheus.io/* scrape annotations when
metrics.enabled, then the component's podAnnotations (which win on a clash). Pass
(list $ podAnnotations (dict "port" PORT "scheme" "http"|"https")); renders nothing when empty.
*/}}
{{- define "orka.podAnnotations" -}}
{{- $root := index . 0 -}}
{{- $scrape := index . 2 -}}
{{- $annotations := dict -}}
{{- if $root.Values.metrics.enabled -}}
{{- $_ := set $annotations "prometheus.io/scrape" "true" -}}
{{- $_ := set $annotations "prometheus.io/port" (toString (int $scrape.port)) -}}
{{- $_ := set $annotations "prometheus.io/path" "/metrics" -}}
{{- $_ := set $annotations "prometheus.io/scheme" $scrape.scheme -}}
{{- end -}}
{{- $annotations = mergeOverwrite $annotations (index . 1) -}}
{{- if $annotations -}}
{{- toYaml $annotations -}}
{{- end -}}
{{- end -}}
