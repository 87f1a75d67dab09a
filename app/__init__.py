"""stackgate: a Git repository as the self-service front door of an Apache CloudStack cloud."""
