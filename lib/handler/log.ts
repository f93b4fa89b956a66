/**
 * One JSON line per event, for CloudWatch Logs Insights. Callers pass only what is safe to log:
 * the token never reaches this module.
 */
export function log(level: 'INFO' | 'WARN' | 'ERROR', message: string, fields: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ level, message, ...fields }));
}
