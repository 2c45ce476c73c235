"""The remediation plan as Markdown (to read and review) and as a bash script (to run, step by step).

Every command in the script is commented out: an operator uncomments what they
approve. Values only the operator can choose are shell variables that stop the
script when unset (``${VAR:?…}``). Identifiers are shell-quoted; text from the
audited account sits only in comments, with line breaks and control characters
replaced, so it can end no comment.
"""

from __future__ import annotations

import re

from awsaudit.report.markdown import cell
from awsaudit.report.model import ReportModel
from awsaudit.report.remediation.model import Command, Decide, Step
from awsaudit.report.remediation.plan import PlannedFix, ResourcePlan, build_plan

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
SCRIPT_NAME = "awsaudit-remediation.sh"


def verify_command(fix: PlannedFix, region: str) -> str:
    check = fix.finding.check_id
    regional = fix.finding.region != "global"
    return f"awsaudit scan --checks {check}" + (f" --regions {region}" if regional else "")


def _comment(text: str) -> str:
    return _CONTROL.sub("\ufffd", text)


def _label(plan: ResourcePlan) -> str:
    return plan.resource if plan.resource_name is None else f"{plan.resource} ({plan.resource_name})"


def _decisions(steps: tuple[Step, ...]) -> list[Decide]:
    seen: dict[str, Decide] = {}
    for step in steps:
        for decision in step.decisions:
            seen.setdefault(decision.variable, decision)
    return list(seen.values())


# ---------------------------------------------------------------- Markdown
def _fence(lines: list[str]) -> list[str]:
    longest = max((len(run) for line in lines for run in re.findall("`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}bash", *lines, fence]


def _md_step(number: str, step: Step, fix: PlannedFix, region: str) -> list[str]:
    lines = [f"**{number} {cell(step.summary)}**", ""]
    if step.commands:
        lines += _fence([c.shell() for c in step.commands])
        lines.append("")
    for decision in step.decisions:
        choices = "; ".join(cell(c) for c in decision.choices)
        lines.append(f"- TODO decide `{decision.variable}`: {cell(decision.question)} Choices: {choices}")
    lines += [
        f"- Changes: {cell(step.changes)}",
        f"- What can break: {cell(step.breaks)}",
        f"- Verify: `{verify_command(fix, region)}`",
    ]
    if step.rollback:
        lines.append("- Roll back:")
        lines.append("")
        lines += _fence([c.shell() for c in step.rollback])
    elif step.rollback_note:
        lines.append(f"- Roll back: {cell(step.rollback_note)}")
    else:
        lines.append("- Roll back: not needed (the step only reads or cannot be undone by AWS)")
    if step.terraform:
        lines += ["- Terraform:", "", "```hcl", *_comment_lines(step.terraform), "```"]
    lines.append("")
    return lines


def _comment_lines(text: str) -> list[str]:
    return [_comment(line).replace("```", "ʼʼʼ") for line in text.splitlines()]


def render_remediation_markdown(model: ReportModel) -> bytes:
    plans = build_plan(model)
    fixes = sum(len(p.fixes) for p in plans)
    lines = [
        f"# Remediation plan for account {cell(model.account_id)}",
        "",
        f"Collected {model.collected_at_iso}; {fixes} failing finding(s) on {len(plans)} resource(s), "
        "riskiest first (severity × exposure × blast radius). The same steps, commented out, are in "
        f"`{SCRIPT_NAME}`: uncomment what you approve, set the TODO variables, run it with bash.",
        "",
    ]
    if not plans:
        lines.append("Nothing to fix: no unsuppressed FAIL finding.")
    for number, plan in enumerate(plans, start=1):
        lines += [
            f"## {number}. {cell(_label(plan))}",
            "",
            f"Account {cell(plan.account_id)}, region {cell(plan.region)}, risk {plan.risk}.",
            "",
        ]
        for index, fix in enumerate(plan.fixes, start=1):
            finding = fix.finding
            exposure = f" — {fix.exposure}" if fix.exposure else ""
            lines += [
                f"### {number}.{index} {cell(fix.item.check.title)} "
                f"(`{finding.check_id}`, {finding.severity.value}{exposure})",
                "",
                cell(finding.message),
                "",
            ]
            if fix.no_cli_reason:
                lines += [
                    f"No CLI fix: {cell(fix.no_cli_reason)}. {cell(fix.item.check.remediation)}",
                    f"Verify: `{verify_command(fix, plan.region)}`",
                    "",
                ]
            for step_number, step in enumerate(fix.steps, start=1):
                lines += _md_step(f"{number}.{index}.{step_number}", step, fix, plan.region)
    if model.errors:
        # What could not be read could not be judged: the plan is incomplete there, never "clean".
        lines += [
            "## Not judged: data that could not be collected",
            "",
            "Grant the reader these calls and re-run the scan; checks that need them are UNKNOWN.",
            "",
            "| service | region | dataset | operation | code | resource |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {cell(e.service)} | {cell(e.region)} | {cell(e.dataset)} | {cell(e.operation)} "
            f"| {cell(e.code)} | {cell(e.resource or '')} |"
            for e in model.errors
        ]
    return ("\n".join(lines).rstrip("\n") + "\n").encode()


# ---------------------------------------------------------------- bash
def _sh_commands(prefix: str, commands: tuple[Command, ...]) -> list[str]:
    return [f"{prefix}{c.shell()}" for c in commands]


def render_remediation_script(model: ReportModel) -> bytes:
    plans = build_plan(model)
    lines = [
        "#!/usr/bin/env bash",
        f"# awsaudit remediation plan for account {_comment(model.account_id)}, collected "
        f"{model.collected_at_iso}.",
        "# Every command is commented out: read the step, uncomment the lines you approve",
        "# (those starting with '# aws '), set the TODO variables, then run: bash " + SCRIPT_NAME,
        "# Roll-back commands are marked '# rollback: ' and are never meant to run with the fix.",
        "set -euo pipefail",
        "",
    ]
    for number, plan in enumerate(plans, start=1):
        lines += [
            "# " + "=" * 76,
            f"# {number}. {_comment(_label(plan))}",
            f"#    account {_comment(plan.account_id)}, region {_comment(plan.region)}, risk {plan.risk}",
        ]
        for index, fix in enumerate(plan.fixes, start=1):
            finding = fix.finding
            lines += [
                "#",
                f"# {number}.{index} {_comment(finding.check_id)} ({finding.severity.value}"
                + (f", {fix.exposure}" if fix.exposure else "")
                + f"): {_comment(finding.message)}",
            ]
            if fix.no_cli_reason:
                lines.append(f"#   No CLI fix: {_comment(fix.no_cli_reason)}")
            for step_number, step in enumerate(fix.steps, start=1):
                lines += [
                    f"# --- {number}.{index}.{step_number} {_comment(step.summary)}",
                    f"#   Changes: {_comment(step.changes)}",
                    f"#   What can break: {_comment(step.breaks)}",
                ]
                for decision in step.decisions:
                    lines.append(f"#   TODO {decision.variable}: {_comment(decision.question)}")
                    lines += [f"#     - {_comment(choice)}" for choice in decision.choices]
                    lines.append(f"# {decision.variable}=''")
                lines += _sh_commands("# ", step.commands)
                lines.append(f"#   Verify: {verify_command(fix, plan.region)}")
                lines += _sh_commands("# rollback: ", step.rollback)
                if step.rollback_note:
                    lines.append(f"#   Roll back: {_comment(step.rollback_note)}")
        lines.append("")
    lines.append('echo "awsaudit remediation: done (only the commands you uncommented ran)"')
    return ("\n".join(lines) + "\n").encode()
