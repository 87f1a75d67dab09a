"""Pure planning: desired state and live state → an immutable Plan value."""
