/**
 * An encrypted SNS topic that emails one address, and alarms that notify it: the alerting of every preset
 * (the ecommerce stack's Observability construct builds its 11 alarms of tapstack.md §9 on it).
 */
import cloudwatch = require('aws-cdk-lib/aws-cloudwatch');
import actions = require('aws-cdk-lib/aws-cloudwatch-actions');
import iam = require('aws-cdk-lib/aws-iam');
import type * as kms from 'aws-cdk-lib/aws-kms';
import sns = require('aws-cdk-lib/aws-sns');
import subscriptions = require('aws-cdk-lib/aws-sns-subscriptions');
import { Construct } from 'constructs';

export interface AlertTopicProps {
  readonly topicName: string;
  /** @default - the topic name */
  readonly displayName?: string;
  /** Subscribed by email; the recipient must confirm. */
  readonly email: string;
  /** Key of the topic; CloudWatch may use it, or no alarm could publish. */
  readonly encryptionKey: kms.IKey;
  /** Evaluation periods of every alarm. @default 2 */
  readonly evaluationPeriods?: number;
}

/** How one alarm compares; statistic and period live on the metric (failure-lessons.md #13). */
export interface AlarmSpec {
  readonly alarmName: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  /** @default GREATER_THAN_THRESHOLD */
  readonly comparisonOperator?: cloudwatch.ComparisonOperator;
  readonly description?: string;
  /** @default the topic's evaluationPeriods */
  readonly evaluationPeriods?: number;
  /** @default all of the evaluation periods */
  readonly datapointsToAlarm?: number;
}

export class AlertTopic extends Construct {
  public readonly topic: sns.Topic;
  /** The alarms added so far, by name. */
  public readonly alarms: Record<string, cloudwatch.Alarm> = {};
  private readonly action: actions.SnsAction;
  private readonly evaluationPeriods: number;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    this.evaluationPeriods = props.evaluationPeriods ?? 2;
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: props.topicName,
      displayName: props.displayName ?? props.topicName,
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'Allow CloudWatch alarms to publish to the encrypted alert topic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.action = new actions.SnsAction(this.topic);
  }

  /** An alarm that notifies the topic; missing data (a stopped service, a fresh replica) is not a breach. */
  public addAlarm(spec: AlarmSpec): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, spec.alarmName.replace(/[^A-Za-z0-9]/g, ''), {
      alarmName: spec.alarmName,
      alarmDescription: spec.description,
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: spec.evaluationPeriods ?? this.evaluationPeriods,
      ...(spec.datapointsToAlarm !== undefined ? { datapointsToAlarm: spec.datapointsToAlarm } : {}),
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    this.alarms[spec.alarmName] = alarm;
    return alarm;
  }
}
