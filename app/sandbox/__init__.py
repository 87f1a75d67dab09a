"""The built-in CloudStack API sandbox: a management server's HTTP contract, in memory."""
