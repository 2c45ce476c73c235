"""The remediation plan format: AWS CLI steps per failing finding, riskiest first (Markdown and bash)."""
