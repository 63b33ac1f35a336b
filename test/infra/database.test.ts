import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXCLUDED_PASSWORD_CHARACTERS } from '../../src/infra/constructs/database.js';
import { getAtt, lid, only, ref, synthStack, type SynthesizedStack } from './fixtures.js';

/** tapstack.md §4.1, as listed there. */
const SPEC_EXCLUDED = [' ', '%', '+', '~', '`', '#', '$', '&', '*', '(', ')', '|', '[', ']', '{', '}', ':', ';', '<', '>', '?', '!', "'", '/', '@', '"', '\\'];

const id = (s: SynthesizedStack, construct: IConstruct): string => lid(s.stack, construct);

describe('Database', () => {
  let pg: SynthesizedStack;
  let mysql: SynthesizedStack;
  let prod: SynthesizedStack;
  beforeAll(() => {
    // GIVEN a development stack on the default engine, one on MySQL, and a production stack
    pg = synthStack('dev');
    mysql = synthStack('dev', { database: { engine: 'aurora-mysql' } });
    prod = synthStack('prod');
  });

  it('excludes exactly the 27 characters of §4.1 from generated passwords', () => {
    expect([...EXCLUDED_PASSWORD_CHARACTERS].sort()).toEqual([...SPEC_EXCLUDED].sort());
    expect(EXCLUDED_PASSWORD_CHARACTERS).toHaveLength(27);
  });

  it('stores the master credentials in a KMS-encrypted secret with a generated 32-character password (§4.1)', () => {
    const key = id(pg, pg.stack.encryption.key);
    pg.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: pg.env.names.dbSecret,
      Description: 'RDS master user credentials',
      KmsKeyId: getAtt(key, 'Arn'),
      GenerateSecretString: {
        SecretStringTemplate: JSON.stringify({ username: 'dbadmin' }),
        GenerateStringKey: 'password',
        PasswordLength: 32,
        ExcludeCharacters: EXCLUDED_PASSWORD_CHARACTERS,
      },
    });
  });

  it('runs Aurora PostgreSQL Serverless v2 in the isolated subnets, encrypted, with the spec backups (§4.3)', () => {
    const key = id(pg, pg.stack.encryption.key);
    pg.template.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      EngineVersion: pg.env.database.version,
      DBClusterIdentifier: pg.env.names.dbCluster,
      DatabaseName: 'ecommerce',
      Port: 5432,
      StorageEncrypted: true,
      KmsKeyId: getAtt(key, 'Arn'),
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 2 },
      BackupRetentionPeriod: 7,
      PreferredBackupWindow: '03:00-04:00',
      PreferredMaintenanceWindow: 'sun:04:00-sun:05:00',
      VpcSecurityGroupIds: [getAtt(id(pg, pg.stack.network.databaseSecurityGroup), 'GroupId')],
      MasterUsername: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
    });
    const isolated = pg.stack.network.vpc.isolatedSubnets.map((s) => ref(id(pg, s)));
    pg.template.hasResourceProperties('AWS::RDS::DBSubnetGroup', { SubnetIds: isolated });
  });

  it('has a serverless writer and one reader that scales with it', () => {
    pg.template.resourceCountIs('AWS::RDS::DBInstance', 2);
    pg.template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.serverless', PromotionTier: 0 });
    pg.template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.serverless', PromotionTier: 1 });
  });

  it('adds readers as configured', () => {
    synthStack('dev', { database: { readers: 3 } }).template.resourceCountIs('AWS::RDS::DBInstance', 4);
  });

  it('rotates the attached secret every 30 days with a PostgreSQL hosted rotation in the private subnets (§4.2)', () => {
    const attachment = only(pg.template, 'AWS::SecretsManager::SecretTargetAttachment').logicalId;
    const privateSubnets = pg.stack.network.vpc.privateSubnets.map((s) => id(pg, s));
    pg.template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: ref(attachment),
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      HostedRotationLambda: {
        RotationType: 'PostgreSQLSingleUser',
        RotationLambdaName: pg.env.names.rotationFunction,
        ExcludeCharacters: EXCLUDED_PASSWORD_CHARACTERS,
        VpcSecurityGroupIds: getAtt(id(pg, pg.stack.database.rotationSecurityGroup), 'GroupId'),
        VpcSubnetIds: { 'Fn::Join': ['', privateSubnets.flatMap((s, i) => (i === 0 ? [ref(s)] : [',', ref(s)]))] },
      },
    });
    expect(pg.template.toJSON().Transform).toContain('AWS::SecretsManager-2024-09-16');
  });

  it('gives the rotation function its own security group with outbound access, admitted by the database (§13)', () => {
    const rotationSg = id(pg, pg.stack.database.rotationSecurityGroup);
    pg.template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Hosted rotation function of the database credentials',
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' })],
    });
    pg.template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432,
      ToPort: 5432,
      GroupId: getAtt(id(pg, pg.stack.network.databaseSecurityGroup), 'GroupId'),
      SourceSecurityGroupId: getAtt(rotationSg, 'GroupId'),
    });
  });

  describe('MySQL instead of PostgreSQL changes port, rules and rotation together (failure rule R2)', () => {
    it('uses Aurora MySQL 8.0 with the RDS version string and port 3306', () => {
      mysql.template.hasResourceProperties('AWS::RDS::DBCluster', {
        Engine: 'aurora-mysql',
        EngineVersion: `8.0.mysql_aurora.${mysql.env.database.version}`,
        Port: 3306,
      });
    });

    it('rotates with the MySQL hosted rotation', () => {
      mysql.template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        HostedRotationLambda: Match.objectLike({ RotationType: 'MySQLSingleUser' }),
      });
    });

    it('admits 3306 (and never 5432) from ECS, Lambda and the rotation function', () => {
      const db = getAtt(id(mysql, mysql.stack.network.databaseSecurityGroup), 'GroupId');
      const rules = Object.values(mysql.template.findResources('AWS::EC2::SecurityGroupIngress'))
        .map((r) => r.Properties)
        .filter((p) => JSON.stringify(p.GroupId) === JSON.stringify(db));
      expect(rules.map((r) => r.FromPort)).toEqual([3306, 3306, 3306]);
      expect(rules.map((r) => r.Description)).toEqual([
        'Allow MySQL traffic from ECS',
        'Allow MySQL traffic from Lambda',
        'Allow MySQL traffic from the secret rotation function',
      ]);
    });
  });

  describe('removal and protection follow the environment', () => {
    // The database's resources only: the stack also holds the origin header's secrets (deleted with it always).
    const policies = (t: Template, type: string) =>
      Object.values(t.findResources(type))
        .filter((r) => !String(r.Properties?.Description ?? '').includes('X-Origin-Verify'))
        .map((r) => r.DeletionPolicy);

    it('development: no deletion protection; cluster, instances and secret are deleted', () => {
      pg.template.hasResourceProperties('AWS::RDS::DBCluster', { DeletionProtection: false });
      expect(policies(pg.template, 'AWS::RDS::DBCluster')).toEqual(['Delete']);
      expect(policies(pg.template, 'AWS::RDS::DBInstance')).toEqual(['Delete', 'Delete']);
      expect(policies(pg.template, 'AWS::SecretsManager::Secret')).toEqual(['Delete']);
    });

    it('production: deletion protection; the cluster leaves a snapshot and the secret is retained', () => {
      prod.template.hasResourceProperties('AWS::RDS::DBCluster', { DeletionProtection: true });
      expect(policies(prod.template, 'AWS::RDS::DBCluster')).toEqual(['Snapshot']);
      expect(policies(prod.template, 'AWS::SecretsManager::Secret')).toEqual(['Retain']);
    });
  });
});
