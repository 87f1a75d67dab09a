"""Read-only pages for the platform team: PRs, locks, applies, drift, audit."""
