/**
 * What `interlock start` prints once it serves: where the API, the webhooks, the dead letters
 * and (in the demo) the sandboxes and the sample sink are, and how to try them.
 */

/** What the banner shows. */
export interface BannerInfo {
  base: string;
  dialect: string;
  sqlitePath: string;
  /** Whether the first story's flows run (its connectors configured). */
  story: boolean;
  /** Whether the manufacturer story's flows run (Dynamics 365 and SAP configured). */
  manufacturer?: boolean;
  /** The sink recording the manufacturer story's canonical events (the demo's "analytics"). */
  analytics?: { url: string } | undefined;
  sandboxes?: ReadonlyArray<{ name: string; url: string }>;
  sink?: { url: string } | undefined;
}

/** The banner, as lines of text. */
export function banner(info: BannerInfo): string {
  const { base } = info;
  const lines = [
    '',
    `Interlock is running — store: ${info.dialect === 'sqlite' ? `SQLite (${info.sqlitePath})` : 'PostgreSQL'}`,
    `  console       ${base}/console   (operations: runs, dead letters, approvals, lineage)`,
    `  API           ${base}   (health: ${base}/readyz)`,
    `  API docs      ${base}/docs   (OpenAPI: ${base}/openapi.json)`,
    `  webhooks      ${base}/hooks/<source>`,
    `  runs          ${base}/admin/runs   (or: npx interlock runs list)`,
    `  dead letters  ${base}/admin/dead-letters   (or: npx interlock dlq list)`,
  ];
  if (info.story) lines.push('  flows         lead-to-order (Salesforce Closed Won → NetSuite, Stripe), billing feedback, renewals');
  if (info.manufacturer === true) {
    lines.push(
      `  ${info.story ? '             ' : 'flows        '} manufacturer lead-to-order (Dynamics 365 won → SAP S/4HANA), SAP deliveries, invoices, payments → Dynamics`,
      `  partner API   ${base}/v1/availability, /v1/business-partners/<ref>, /v1/credit, /v1/tax/estimate, /v1/sales-orders`,
    );
  }
  if (info.sandboxes !== undefined && info.sandboxes.length > 0) {
    lines.push('', 'Vendor sandboxes (seeded with demo data; faults at <url>/__sandbox/faults):');
    for (const x of info.sandboxes) lines.push(`  ${x.name.padEnd(13)} ${x.url}`);
  }
  if (info.analytics !== undefined) lines.push('', `Canonical events (interlock.shipment.*, interlock.invoice.*) go to the analytics sink: ${info.analytics.url}/__sink/effects`);
  if (info.sink !== undefined) {
    lines.push(
      '',
      `Sample destination: ${info.sink.url} (prints every event it receives)`,
      '',
      'Send an event through it:',
      `  curl -s -X POST ${base}/hooks/demo -H 'content-type: application/json' \\`,
      `       -d '{"id":"evt-1","orderId":"SO-1001","amount":"120.00","currency":"USD"}'`,
    );
  }
  lines.push('', 'Stop with Ctrl-C.', '');
  return lines.join('\n');
}
