"""stackgate: a Git repository as the self-service front door of an Apache CloudStack cloud."""

# the one place the version is written: the wheel's metadata takes it from here
__version__ = "0.1.0"
