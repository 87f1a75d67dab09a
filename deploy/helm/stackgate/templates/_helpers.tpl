{{- define "stackgate.name" -}}{{ .Release.Name }}-stackgate{{- end -}}

{{- define "stackgate.labels" -}}
app.kubernetes.io/name: stackgate
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "stackgate.env" -}}
envFrom:
  - configMapRef:
      name: {{ include "stackgate.name" . }}
  - secretRef:
      name: {{ .Values.existingSecret }}
{{- end -}}
