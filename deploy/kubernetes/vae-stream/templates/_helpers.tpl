{{/* Names: <release>-vae-stream, or the release name when it already contains the chart name. */}}
{{- define "vae-stream.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "vae-stream.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one service; call with (dict "root" $ "component" "scorer"). */}}
{{- define "vae-stream.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "vae-stream.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* Where the secrets are mounted; the flags name these files. */}}
{{- define "vae-stream.kafkaConfigFile" -}}/etc/vae-stream/kafka/client.properties{{- end -}}
{{- define "vae-stream.checkpointKeyFile" -}}/etc/vae-stream/checkpoint-key/checkpoint.key{{- end -}}

{{/*
The rules the README states in prose, enforced at render time.
*/}}
{{- define "vae-stream.validate" -}}
{{- $partitions := int .Values.kafka.inputPartitions -}}
{{- $replicas := int .Values.scorer.replicas -}}
{{- if lt $partitions 1 -}}
{{- fail (printf "kafka.inputPartitions must be at least 1 (got %d)" $partitions) -}}
{{- end -}}
{{- if lt $replicas 0 -}}
{{- fail (printf "scorer.replicas must not be negative (got %d)" $replicas) -}}
{{- end -}}
{{- if gt $replicas $partitions -}}
{{- fail (printf "scorer.replicas (%d) exceeds kafka.inputPartitions (%d): each input partition is scored by one scorer at a time, so the extra scorers would sit idle. Add partitions to mnist.images first, then raise both." $replicas $partitions) -}}
{{- end -}}
{{- if not (has .Values.strimzi.users.authentication (list "scram-sha-512" "tls")) -}}
{{- fail (printf "strimzi.users.authentication must be scram-sha-512 or tls (got %s)" .Values.strimzi.users.authentication) -}}
{{- end -}}
{{- end -}}

{{/*
Arguments every service shares. Call with (dict "root" $ "svc" .Values.scorer).
*/}}
{{- define "vae-stream.commonArgs" -}}
- --bootstrap-servers
- {{ .root.Values.kafka.bootstrapServers | quote }}
- --http-port
- {{ .svc.httpPort | quote }}
{{- if .svc.kafkaConfigSecret.name }}
- --kafka-config
- {{ include "vae-stream.kafkaConfigFile" .root }}
{{- end }}
{{- end -}}

{{- define "vae-stream.checkpointKeyArgs" -}}
{{- if .Values.checkpointKey.secretName -}}
- --checkpoint-hmac-key-file
- {{ include "vae-stream.checkpointKeyFile" . }}
{{- end }}
{{- end -}}

{{/* JAVA_OPTS: heap, the shared options, the service's own. */}}
{{- define "vae-stream.javaOpts" -}}
{{- printf "-Xmx%s %s %s" .svc.heap .root.Values.javaOpts .svc.javaOpts | trim -}}
{{- end -}}

{{/* The container's environment: only non-secret settings. */}}
{{- define "vae-stream.env" -}}
- name: JAVA_OPTS
  value: {{ include "vae-stream.javaOpts" . | quote }}
- name: OMP_NUM_THREADS
  value: "1"
{{- end -}}

{{/* Volume mounts every service has; call with (dict "root" $ "svc" .Values.scorer "key" true). */}}
{{- define "vae-stream.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .svc.kafkaConfigSecret.name }}
- name: kafka-config
  mountPath: /etc/vae-stream/kafka
  readOnly: true
{{- end }}
{{- if .root.Values.kafka.caSecret.name }}
- name: kafka-ca
  mountPath: /etc/vae-stream/kafka-ca
  readOnly: true
{{- end }}
{{- if and .key .root.Values.checkpointKey.secretName }}
- name: checkpoint-key
  mountPath: /etc/vae-stream/checkpoint-key
  readOnly: true
{{- end }}
{{- end -}}

{{/* Secret files are readable by the owner and the pod's fsGroup only (0440). */}}
{{- define "vae-stream.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .root.Values.tmp.sizeLimit }}
{{- if .svc.kafkaConfigSecret.name }}
- name: kafka-config
  secret:
    secretName: {{ .svc.kafkaConfigSecret.name }}
    defaultMode: 288
    items:
      - key: {{ .svc.kafkaConfigSecret.key }}
        path: client.properties
{{- end }}
{{- if .root.Values.kafka.caSecret.name }}
- name: kafka-ca
  secret:
    secretName: {{ .root.Values.kafka.caSecret.name }}
    defaultMode: 292
    items:
      - key: {{ .root.Values.kafka.caSecret.key }}
        path: ca.crt
{{- end }}
{{- if and .key .root.Values.checkpointKey.secretName }}
- name: checkpoint-key
  secret:
    secretName: {{ .root.Values.checkpointKey.secretName }}
    defaultMode: 288
    items:
      - key: {{ .root.Values.checkpointKey.key }}
        path: checkpoint.key
{{- end }}
{{- end -}}

{{/* Probes on the named port "http"; call with (dict "root" $ "readyPath" "/ready"). */}}
{{- define "vae-stream.probes" -}}
{{- $p := .root.Values.probes -}}
startupProbe:
  httpGet:
    path: /health
    port: http
  periodSeconds: {{ $p.startup.periodSeconds }}
  failureThreshold: {{ $p.startup.failureThreshold }}
  timeoutSeconds: {{ $p.startup.timeoutSeconds }}
livenessProbe:
  httpGet:
    path: /health
    port: http
  periodSeconds: {{ $p.liveness.periodSeconds }}
  failureThreshold: {{ $p.liveness.failureThreshold }}
  timeoutSeconds: {{ $p.liveness.timeoutSeconds }}
readinessProbe:
  httpGet:
    path: {{ .readyPath }}
    port: http
  periodSeconds: {{ $p.readiness.periodSeconds }}
  failureThreshold: {{ $p.readiness.failureThreshold }}
  timeoutSeconds: {{ $p.readiness.timeoutSeconds }}
{{- end -}}

{{- define "vae-stream.podScheduling" -}}
{{- with .nodeSelector -}}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
