"""What opens an edge of the escalation graph: the actions that let one principal act as another, or grant.

`COMPUTE_RECIPES`: passing a role to a service that then runs code as the role. `CREDENTIAL_ACTIONS`: creating
credentials of a user. `GRANT_ACTIONS`: changing what a principal may do.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from awsaudit.analyze.iam.policy import Policy, Statement

ASSUME_ROLE = "sts:AssumeRole"
SET_DEFAULT = "iam:SetDefaultPolicyVersion"
UPDATE_TRUST = "iam:UpdateAssumeRolePolicy"
ADMIN_POLICY_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"


@dataclass(frozen=True, slots=True)
class ComputeRecipe:
    """Passing a role to a service that then runs code as the role: each step needs one of its actions."""

    service: str
    method: str
    steps: tuple[tuple[str, ...], ...]
    needs_instance_profile: bool = False


COMPUTE_RECIPES: tuple[ComputeRecipe, ...] = (
    ComputeRecipe(
        "ec2.amazonaws.com", "launch an EC2 instance with the role", (("ec2:RunInstances",),), True
    ),
    ComputeRecipe(
        "ec2.amazonaws.com",
        "create an Auto Scaling group whose instances get the role",
        (
            ("autoscaling:CreateAutoScalingGroup", "autoscaling:UpdateAutoScalingGroup"),
            (
                "autoscaling:CreateLaunchConfiguration",
                "ec2:CreateLaunchTemplate",
                "ec2:CreateLaunchTemplateVersion",
            ),
        ),
        True,
    ),
    ComputeRecipe(
        "lambda.amazonaws.com",
        "create a Lambda function running as the role and trigger it",
        (
            ("lambda:CreateFunction",),
            (
                "lambda:InvokeFunction",
                "lambda:CreateEventSourceMapping",
                "lambda:AddPermission",
                "lambda:CreateFunctionUrlConfig",
            ),
        ),
    ),
    ComputeRecipe(
        "lambda.amazonaws.com",
        "switch an existing Lambda function to the role, replace its code and invoke it",
        (("lambda:UpdateFunctionConfiguration",), ("lambda:UpdateFunctionCode",), ("lambda:InvokeFunction",)),
    ),
    ComputeRecipe(
        "ecs-tasks.amazonaws.com",
        "register an ECS task definition with the role and run it",
        (
            ("ecs:RegisterTaskDefinition",),
            ("ecs:RunTask", "ecs:StartTask", "ecs:CreateService", "ecs:UpdateService"),
        ),
    ),
    ComputeRecipe(
        "glue.amazonaws.com",
        "create a Glue development endpoint with the role",
        (("glue:CreateDevEndpoint",),),
    ),
    ComputeRecipe(
        "glue.amazonaws.com",
        "create a Glue job running as the role and start it",
        (("glue:CreateJob", "glue:UpdateJob"), ("glue:StartJobRun", "glue:CreateTrigger")),
    ),
    ComputeRecipe(
        "cloudformation.amazonaws.com",
        "create or update a CloudFormation stack that runs as the role",
        (("cloudformation:CreateStack", "cloudformation:UpdateStack", "cloudformation:CreateStackSet"),),
    ),
    ComputeRecipe(
        "cloudformation.amazonaws.com",
        "create and execute a CloudFormation change set that runs as the role",
        (("cloudformation:CreateChangeSet",), ("cloudformation:ExecuteChangeSet",)),
    ),
    ComputeRecipe(
        "sagemaker.amazonaws.com",
        "create a SageMaker notebook instance with the role and open it",
        (("sagemaker:CreateNotebookInstance",), ("sagemaker:CreatePresignedNotebookInstanceUrl",)),
    ),
    ComputeRecipe(
        "sagemaker.amazonaws.com",
        "run a SageMaker training or processing job as the role",
        (("sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob"),),
    ),
    ComputeRecipe(
        "codebuild.amazonaws.com",
        "create a CodeBuild project with the role and start a build",
        (
            ("codebuild:CreateProject", "codebuild:UpdateProject"),
            ("codebuild:StartBuild", "codebuild:StartBuildBatch"),
        ),
    ),
    ComputeRecipe(
        "datapipeline.amazonaws.com",
        "create and activate a Data Pipeline running as the role",
        (
            ("datapipeline:CreatePipeline",),
            ("datapipeline:PutPipelineDefinition",),
            ("datapipeline:ActivatePipeline",),
        ),
    ),
)
PASS_ROLE = "iam:PassRole"
ROLE_ACTIONS = (ASSUME_ROLE, UPDATE_TRUST, PASS_ROLE)
CREDENTIAL_ACTIONS = {
    "iam:CreateAccessKey": "create an access key for the user",
    "iam:CreateLoginProfile": "set a console password for the user",
    "iam:UpdateLoginProfile": "reset the user's console password",
}
# Actions that change what a principal may do; a profile with none of them cannot make anyone admin.
GRANT_ACTIONS = (
    "iam:PutUserPolicy",
    "iam:AttachUserPolicy",
    "iam:PutRolePolicy",
    "iam:AttachRolePolicy",
    "iam:PutGroupPolicy",
    "iam:AttachGroupPolicy",
    "iam:AddUserToGroup",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:DeleteUserPermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:PutUserPermissionsBoundary",
    "iam:PutRolePermissionsBoundary",
)


def creation_grants(policies: "Iterable[Policy]") -> "tuple[Statement, ...]":
    """Every Allow statement naming iam:CreatePolicy (each may permit a different name)."""
    return tuple(
        s
        for p in policies
        for s in p.statements
        if s.effect.value == "Allow" and s.matches_action("iam:CreatePolicy")
    )


def created_policy_arns(grants: "tuple[Statement, ...]") -> tuple[str, ...]:
    """ARNs a principal could give a policy it creates: the Resource patterns of its iam:CreatePolicy allows,
    with wildcards filled in. Such a policy can say anything, so attaching it is attaching an admin policy."""
    arns: list[str] = []
    for statement in grants:
        for pattern in statement.resources or ("*",):
            if statement.not_resources:
                pattern = "*"
            filled = pattern.replace("*", "awsaudit-created").replace("?", "x")
            arns.append(
                filled
                if filled.startswith("arn:")
                else "arn:aws:iam::awsaudit-created:policy/awsaudit-created"
            )
    return tuple(dict.fromkeys(arns))
