{{/* Chart name, overridable. */}}
{{- define "crm.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Prefix of every object name: the release name, unless it lacks the chart name. */}}
{{- define "crm.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Name of one service's objects (Deployment, Service, PDB, HPA). Argument: dict root, service. */}}
{{- define "crm.serviceFullname" -}}
{{- printf "%s-%s" (include "crm.fullname" .root) .service.name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "crm.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "crm.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: crm
{{- end }}

{{/* Labels of one service's objects. Argument: dict root, service. */}}
{{- define "crm.serviceLabels" -}}
{{ include "crm.labels" .root }}
app.kubernetes.io/component: {{ .service.name }}
{{- end }}

{{/* Selects one service's pods; never changes across upgrades. Argument: dict root, service. */}}
{{- define "crm.selectorLabels" -}}
app.kubernetes.io/name: {{ include "crm.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .service.name }}
{{- end }}

{{/*
One entry of .Values.services with .Values.serviceDefaults under it, as YAML (read it back with fromYaml).
A key the entry sets replaces the default whole. Deliberately not sprig's merge/mergeOverwrite: they
ignore false and 0, so `podDisruptionBudget: {enabled: false}` on a service would silently stay enabled.
Argument: dict root, entry.
*/}}
{{- define "crm.serviceSettings" -}}
{{- $settings := dict }}
{{- range $key, $value := .root.Values.serviceDefaults }}
{{- $_ := set $settings $key $value }}
{{- end }}
{{- range $key, $value := .entry }}
{{- $_ := set $settings $key $value }}
{{- end }}
{{- if not (regexMatch "^[a-z][a-z0-9]*$" (toString $settings.name)) }}
{{- fail (printf "services: name %q must be lower-case letters and digits (it names dist/services/<name> and the <NAME>_PORT variable)" (toString $settings.name)) }}
{{- end }}
{{- if not $settings.port }}
{{- fail (printf "services: %s has no port" $settings.name) }}
{{- end }}
{{- if lt (int $settings.terminationGracePeriodSeconds) (add (int $settings.preStopSleepSeconds) 15 | int) }}
{{- fail (printf "services: %s: terminationGracePeriodSeconds must be at least preStopSleepSeconds + 15 (services drain within 10 s of SIGTERM)" $settings.name) }}
{{- end }}
{{- toYaml $settings }}
{{- end }}

{{- define "crm.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The Secret holding the connection URLs: the chart's own, or the one named in existingSecret. */}}
{{- define "crm.secretName" -}}
{{- default (printf "%s-connections" (include "crm.fullname" .)) .Values.existingSecret }}
{{- end }}

{{- define "crm.configMapName" -}}
{{- printf "%s-config" (include "crm.fullname" .) }}
{{- end }}

{{/*
An environment variable's value as a string. Helm reads every number in values as a float, which prints
1048576 as "1.048576e+06"; whole numbers are printed as integers instead.
*/}}
{{- define "crm.envValue" -}}
{{- if and (kindIs "float64" .) (eq . (floor .)) }}
{{- int64 . | toString | quote }}
{{- else }}
{{- toString . | quote }}
{{- end }}
{{- end }}
