/** The built page's default path (audit-page/dist/audit.html). */
export declare const AUDIT_PAGE_PATH: string;
/** Builds the auditor's page: one self-contained HTML file and its Content-Security-Policy. */
export declare function buildAuditPage(): Promise<{ html: string; csp: string }>;
