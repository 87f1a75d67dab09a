"""Code hosts (GitHub, GitLab, a local checkout) behind one narrow Forge protocol."""
