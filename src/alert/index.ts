/**
 * Public surface of `src/alert`: the alert service the tailer drives, the alert
 * settings and their validator, durations, the SMTP test mail, and the alert
 * model types. Other folders import only from here.
 */
export { AlertService, DEFAULT_ALERT_LIMITS } from './alert-service.js';
export type { AlertDeps, AlertLimits, AlertStats, CloseResult } from './alert-service.js';
export { ALERT_CONFIG_KEYS, describeAlertConfig, validateAlertConfig } from './alert-config.js';
export type { AlertConfig, AlertConfigInput, AlertKeyMode, SmtpTlsMode } from './alert-config.js';
export { formatDuration, parseDuration } from './duration.js';
export { explainSmtpError, sendTestMail } from './smtp-sink.js';
export type { SendReceipt } from './smtp-sink.js';
export { hitToJsonLine } from './jsonl-sink.js';
export type { AlertMessage, DigestAlert, DigestRow, FoldReason, ImmediateAlert } from './alert-model.js';
