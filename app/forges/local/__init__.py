"""A local git checkout as a forge: for the CLI, CI jobs and the demo."""
