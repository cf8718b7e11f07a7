/**
 * The SLA report by e-mail, through the same SMTP server and settings Alertmanager sends alerts with
 * (sla.alerting.email), so an operator configures mail once. nodemailer is set up to behave as
 * Alertmanager 0.25's email notifier does (notify/email/email.go, Email.Notify): implicit TLS when the
 * smarthost's port is 465; otherwise STARTTLS only when require_tls is set, and then required (no
 * opportunistic upgrade when it is not); AUTH only when a username is configured; `hello` as the
 * EHLO name. The password is read from the same file Alertmanager reads.
 */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import nodemailer from 'nodemailer';
import type { PrometheusClient } from '../upstream/prometheus';
import { buildBurndown } from './burndown';
import type { AlertingConfig } from './config';
import type { ResolvedSla } from './model';
import type { ReportPeriod } from './period';
import { buildCoveredReport } from './report-coverage';
import { reportMarkdown } from './report-format';
import { reportHtml } from './report-html';
import { htmlToPdf } from './report-pdf';

export type SmtpSettings = NonNullable<AlertingConfig['email']>;

export function smtpTransport(email: SmtpSettings, secretsDir: string) {
  const [host, port] = [email.smarthost.replace(/:\d+$/, ''), Number(email.smarthost.split(':').pop())];
  const implicitTls = port === 465;
  return nodemailer.createTransport({
    host,
    port,
    secure: implicitTls,
    requireTLS: !implicitTls && email.requireTls,
    ignoreTLS: !implicitTls && !email.requireTls,
    ...(email.hello ? { name: email.hello } : {}),
    ...(email.authUsername
      ? {
          auth: {
            user: email.authUsername,
            pass: readFileSync(posix.resolve(secretsDir, email.authPasswordFile!), 'utf8').trim(),
          },
        }
      : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
}

export interface MailReportOptions {
  slas: ResolvedSla[];
  period: ReportPeriod;
  prometheus: PrometheusClient;
  atRiskBudget: number;
  alerting: AlertingConfig;
  to: string[];
  /** Attach the PDF (needs the browser); the markdown report is the body either way. */
  pdf: { chromiumPath: string } | null;
}

export async function mailReport(o: MailReportOptions): Promise<{ messageId: string; accepted: string[] }> {
  const email = o.alerting.email;
  if (!email)
    throw new Error('the SLA report is mailed through sla.alerting.email (smarthost, from): it is not set');
  const report = await buildCoveredReport(o.slas, o.period, o.prometheus, { atRiskBudget: o.atRiskBudget });
  const attachments = [];
  if (o.pdf) {
    const burndown = await buildBurndown(o.slas, o.period, o.prometheus);
    attachments.push({
      filename: `sla-report-${o.period.label}.pdf`,
      content: await htmlToPdf(reportHtml(report, burndown), o.pdf.chromiumPath),
      contentType: 'application/pdf',
    });
  }
  const s = report.summary;
  const info = await smtpTransport(email, o.alerting.secretsDir).sendMail({
    from: email.from,
    to: o.to,
    subject:
      `SLA report ${o.period.label}: ${s.breaching} breaching, ${s.atRisk} at risk, ${s.meeting} meeting` +
      (report.coverage.complete ? '' : ' (incomplete data)'),
    text: reportMarkdown(report),
    attachments,
  });
  return { messageId: info.messageId, accepted: info.accepted.map(String) };
}
