/**
 * The cdk-nag findings of PostgresDatabase that are accepted, each with the reason a reviewer can check
 * (presets.md b.2, b.5, b.6). Kept beside the construct so that the construct file stays about its resources.
 */
import { suppressNag } from '../nag-suppressions.js';
import type { PostgresDatabase, PostgresDatabaseProps } from './postgres-database.js';

export function suppressPostgresFindings(db: PostgresDatabase, props: PostgresDatabaseProps): void {
  const instances = [db.primary, ...db.replicas];
  for (const instance of instances) {
    suppressNag(instance, [
      {
        id: 'AwsSolutions-RDS11',
        reason: 'The PostgreSQL default port is kept (postgres.port) so that every client works; only the application, bastion and rotation groups reach it, in isolated subnets.',
      },
      ...(props.multiAz
        ? []
        : [
            {
              id: 'AwsSolutions-RDS3',
              reason:
                'postgres.multiAz is off so that the primary can be pinned to its zone and the replicas kept out of it (presets.md b.2, failure-lessons.md #49); a replica in another zone is the failover target.',
            },
          ]),
      ...(props.deletionProtection
        ? []
        : [{ id: 'AwsSolutions-RDS10', reason: 'Deletion protection is off by configuration (default outside production) so that the environment can be torn down (b.6).' }]),
    ]);
  }
  for (const replica of db.replicas) {
    suppressNag(replica, [
      {
        id: 'AwsSolutions-RDS2',
        reason: "A read replica in the primary's region is encrypted with the primary's KMS key; CloudFormation takes no encryption settings for it.",
      },
      {
        id: 'AwsSolutions-RDS3',
        reason: 'Each read replica is pinned to a zone of its own (b.2); the replicas together, not a standby per replica, keep reads available when a zone fails.',
      },
    ]);
  }
  if (db.monitoringRole) {
    suppressNag(db.monitoringRole, [
      {
        id: 'AwsSolutions-IAM4',
        reason: 'AmazonRDSEnhancedMonitoringRole is the AWS-maintained policy RDS enhanced monitoring requires (b.5: monitoring only).',
        appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole'],
      },
    ]);
  }
}
