"""Recipes for CloudTrail trails and the CloudWatch metric-filter alarms on their logs."""

from __future__ import annotations

from collections.abc import Mapping

from awsaudit.report.remediation.model import (
    ALERT_TOPIC,
    KMS_KEY,
    Arg,
    Command,
    Decide,
    Recipe,
    Step,
    Target,
    aws,
    single,
)


def update_trail(region: str, trail: str, *flags: Arg) -> Command:
    return aws("cloudtrail", "update-trail", "--region", region, "--name", trail, *flags)


def _trail(target: Target) -> str:
    return target.resource_id


def trail_validation(target: Target) -> tuple[Step, ...]:
    trail = _trail(target)
    return single(
        Step(
            summary=f"Validate the log files of trail {trail}",
            commands=(update_trail(target.region, trail, "--enable-log-file-validation"),),
            changes="CloudTrail writes signed digest files, so tampering is detectable.",
            breaks="Nothing.",
            terraform=f"# on the aws_cloudtrail resource of trail {trail}\nenable_log_file_validation = true",
            rollback=(update_trail(target.region, trail, "--no-enable-log-file-validation"),),
        )
    )


def trail_kms(target: Target) -> tuple[Step, ...]:
    trail = _trail(target)
    return single(
        Step(
            summary=f"Encrypt trail {trail} with a customer-managed key",
            commands=(update_trail(target.region, trail, "--kms-key-id", KMS_KEY),),
            changes="New log files are encrypted with the key; readers need kms:Decrypt.",
            breaks="Log consumers without kms:Decrypt on the key stop reading logs.",
            terraform=(
                f"# on the aws_cloudtrail resource of trail {trail}\n"
                "kms_key_id = var.trail_kms_key_arn # TODO: the customer-managed key chosen above"
            ),
            rollback=(update_trail(target.region, trail, "--kms-key-id", ""),),
        )
    )


def trail_cloudwatch(target: Target) -> tuple[Step, ...]:
    trail = _trail(target)
    group = Decide(
        "TRAIL_LOG_GROUP_ARN",
        "Which CloudWatch Logs group receives the trail?",
        ("arn:aws:logs:REGION:ACCOUNT:log-group:cloudtrail:*",),
    )
    role = Decide(
        "TRAIL_LOGS_ROLE_ARN",
        "Which role lets CloudTrail write to it?",
        ("a role trusted by cloudtrail.amazonaws.com with logs:CreateLogStream and logs:PutLogEvents",),
    )
    return single(
        Step(
            summary=f"Deliver trail {trail} to CloudWatch Logs",
            commands=(
                update_trail(
                    target.region,
                    trail,
                    "--cloud-watch-logs-log-group-arn",
                    group,
                    "--cloud-watch-logs-role-arn",
                    role,
                ),
            ),
            changes="Events reach CloudWatch Logs, where metric filters and alarms can watch them.",
            breaks="Nothing; ingestion is billed.",
            terraform=(
                f"# on the aws_cloudtrail resource of trail {trail}\n"
                'cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"\n'
                "cloud_watch_logs_role_arn = aws_iam_role.trail_to_logs.arn"
            ),
            rollback_note="update-trail with empty --cloud-watch-logs-log-group-arn and role stops delivery.",
        )
    )


def _account_trail(target: Target) -> str | None:
    trails = target.finding.evidence.get("trails", []) or []
    for entry in trails:
        if isinstance(entry, Mapping) and isinstance(entry.get("trail"), str):
            return str(entry["trail"])
    return None


def trail_multi_region(target: Target) -> tuple[Step, ...]:
    trail = _account_trail(target)
    if trail is None:
        bucket = Decide(
            "TRAIL_BUCKET", "Which bucket receives the new trail's logs?", ("a private logging bucket",)
        )
        return single(
            Step(
                summary="Create a multi-region trail that records all management events",
                commands=(
                    aws(
                        "cloudtrail",
                        "create-trail",
                        "--region",
                        target.region,
                        "--name",
                        "management-events",
                        "--s3-bucket-name",
                        bucket,
                        "--is-multi-region-trail",
                        "--enable-log-file-validation",
                    ),
                    aws(
                        "cloudtrail",
                        "start-logging",
                        "--region",
                        target.region,
                        "--name",
                        "management-events",
                    ),
                ),
                changes="Adds a trail in every region (the first copy of management events is free).",
                breaks="Nothing.",
                rollback=(
                    aws(
                        "cloudtrail", "delete-trail", "--region", target.region, "--name", "management-events"
                    ),
                ),
            )
        )
    region = trail.split(":")[3]
    return single(
        Step(
            summary=(
                f"Make trail {trail.rsplit('/', 1)[-1]} multi-region, logging read "
                f"and write management events"
            ),
            commands=(
                update_trail(region, trail, "--is-multi-region-trail"),
                aws(
                    "cloudtrail",
                    "put-event-selectors",
                    "--region",
                    region,
                    "--trail-name",
                    trail,
                    "--event-selectors",
                    '[{"ReadWriteType":"All","IncludeManagementEvents":true}]',
                ),
                aws("cloudtrail", "start-logging", "--region", region, "--name", trail),
            ),
            changes="The trail records every region's management events, reads included.",
            breaks="Nothing; read events add storage.",
            rollback=(update_trail(region, trail, "--no-is-multi-region-trail"),),
        )
    )


def trail_s3_data_events(kind: str) -> Recipe:
    def recipe(target: Target) -> tuple[Step, ...]:
        trail = _account_trail(target)
        if trail is None:
            return ()
        region = trail.split(":")[3]
        selectors = (
            '[{"Name":"S3 object ' + kind + '","FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},'
            '{"Field":"resources.type","Equals":["AWS::S3::Object"]},'
            '{"Field":"readOnly","Equals":["' + ("true" if kind == "reads" else "false") + '"]}]}]'
        )
        return single(
            Step(
                summary=f"Record S3 object {kind} on trail {trail.rsplit('/', 1)[-1]}",
                commands=(
                    aws(
                        "cloudtrail",
                        "put-event-selectors",
                        "--region",
                        region,
                        "--trail-name",
                        trail,
                        "--advanced-event-selectors",
                        selectors,
                    ),
                ),
                changes="Replaces the trail's selectors with S3 data events (billed per event); keep the "
                "management-event selector in the same document if the trail has one.",
                breaks="Nothing in workloads; data events can cost a lot on busy buckets.",
                rollback_note=(
                    "Save the selectors first: aws cloudtrail get-event-selectors --trail-name TRAIL."
                ),
            )
        )

    return recipe


def cloudwatch_monitoring(target: Target) -> tuple[Step, ...]:
    evidence = target.finding.evidence
    control = str(evidence.get("control", "security-event"))
    pattern = evidence.get("pattern") or evidence.get("expected_pattern")
    group = Decide(
        "TRAIL_LOG_GROUP",
        "Which log group receives the multi-region trail?",
        ("the log group named in the trail's CloudWatchLogsLogGroupArn",),
    )
    metric = f"awsaudit-{control}"
    steps: list[Step] = []
    if evidence.get("broken_link") == "trail":
        steps.append(
            Step(
                summary=(
                    "First fix the trail (see the cloudtrail steps): the alarm "
                    "needs a multi-region trail delivering to CloudWatch Logs"
                ),
                commands=(),
                changes="Nothing by itself.",
                breaks="Nothing.",
            )
        )
    filter_pattern: str | Decide = (
        str(pattern)
        if isinstance(pattern, str)
        else Decide(
            f"PATTERN_{control.upper()}",
            f"The CIS filter pattern for {control}",
            (f"see `awsaudit checks --show {target.finding.check_id}` for the pattern",),
        )
    )
    steps.append(
        Step(
            summary=f"Alarm on {control.replace('_', ' ')}",
            commands=(
                aws(
                    "logs",
                    "put-metric-filter",
                    "--region",
                    target.region,
                    "--log-group-name",
                    group,
                    "--filter-name",
                    metric,
                    "--filter-pattern",
                    filter_pattern,
                    "--metric-transformations",
                    f"metricName={metric},metricNamespace=CISBenchmark,metricValue=1",
                ),
                aws(
                    "cloudwatch",
                    "put-metric-alarm",
                    "--region",
                    target.region,
                    "--alarm-name",
                    metric,
                    "--metric-name",
                    metric,
                    "--namespace",
                    "CISBenchmark",
                    "--statistic",
                    "Sum",
                    "--period",
                    "300",
                    "--threshold",
                    "1",
                    "--comparison-operator",
                    "GreaterThanOrEqualToThreshold",
                    "--evaluation-periods",
                    "1",
                    "--alarm-actions",
                    ALERT_TOPIC,
                ),
            ),
            changes="Adds a metric filter and an alarm notifying the topic.",
            breaks="Nothing; the topic's subscribers receive alerts.",
            rollback=(
                aws("cloudwatch", "delete-alarms", "--region", target.region, "--alarm-names", metric),
                aws(
                    "logs",
                    "delete-metric-filter",
                    "--region",
                    target.region,
                    "--log-group-name",
                    group,
                    "--filter-name",
                    metric,
                ),
            ),
        )
    )
    return tuple(steps)


def alarm_actions(target: Target) -> tuple[Step, ...]:
    alarm = target.finding.resource.rsplit(":", 1)[-1]
    return single(
        Step(
            summary=f"Make alarm {alarm} notify someone",
            commands=(
                aws("cloudwatch", "enable-alarm-actions", "--region", target.region, "--alarm-names", alarm),
                aws("cloudwatch", "describe-alarms", "--region", target.region, "--alarm-names", alarm),
            ),
            changes="Re-enables actions; if it has none, re-create it with put-metric-alarm --alarm-actions "
            "(the description shows its current settings).",
            breaks="Nothing.",
            rollback=(
                aws("cloudwatch", "disable-alarm-actions", "--region", target.region, "--alarm-names", alarm),
            ),
        )
    )
