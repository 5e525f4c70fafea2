import type { Database, Prisma } from '@recoup/db';
import type { Channel } from './contact.types';
import type { ContactDecision } from './evaluation.types';

export interface AuditSubject {
  tenantId: string;
  clientId: string;
  invoiceId?: string | null;
  channel: Channel;
  purpose: string;
  /** Who asked: a user id, an API key prefix, or a service name such as "notifier". */
  actor: string;
}

/** Appends one compliance_audit row per decision; rows are never updated. */
export class ComplianceAuditRepository {
  constructor(private readonly db: Database) {}

  async record(subject: AuditSubject, decision: ContactDecision, context: Record<string, unknown>): Promise<string> {
    const row = await this.db.complianceAudit.create({
      data: {
        tenantId: subject.tenantId,
        clientId: subject.clientId,
        invoiceId: subject.invoiceId ?? null,
        channel: subject.channel,
        purpose: subject.purpose,
        actor: subject.actor,
        allowed: decision.allowed,
        reasons: decision.reasons as unknown as Prisma.InputJsonValue,
        nextAllowedAt: decision.nextAllowedAt,
        ruleSetVersion: decision.ruleSetVersion,
        context: context as Prisma.InputJsonValue,
        evaluatedAt: decision.evaluatedAt,
      },
      select: { id: true },
    });
    return row.id;
  }
}
