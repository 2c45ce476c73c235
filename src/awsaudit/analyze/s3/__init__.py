"""S3 analyses: whether a bucket's Block Public Access, ACL and policy leave it open to the public."""
