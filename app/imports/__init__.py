"""`stackgate import`: the repo written from what already runs in a cloud, or from a Terraform
state, so that brownfield objects can be adopted instead of recreated."""
