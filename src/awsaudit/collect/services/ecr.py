"""ECR: every private repository of a region with its repository policy."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext, attach
from awsaudit.collect.registry import dataset

_KEPT = ("repositoryArn", "repositoryName", "registryId")


def _repository_detail(ctx: CallContext, repository: dict[str, Any]) -> None:
    # ECR has no bulk read of repository policies: one call per repository.
    attach(
        repository,
        "Policy",
        lambda: ctx.client.get_repository_policy(
            registryId=repository["registryId"], repositoryName=repository["repositoryName"]
        )["policyText"],
        absent={"RepositoryPolicyNotFoundException": None},
    )


@dataset(
    "ecr",
    "Repositories",
    regional=True,
    actions=["ecr:DescribeRepositories", "ecr:GetRepositoryPolicy"],
    detail=_repository_detail,
)
def repositories(ctx: CallContext) -> list[dict[str, Any]]:
    """{repositoryArn, repositoryName, registryId, Policy (JSON text or null)} per repository."""
    return [
        {key: repository[key] for key in _KEPT if key in repository}
        for repository in ctx.paginate("describe_repositories", "repositories")
    ]
