"""The policy gate: the Rego input document, the engines and their decision."""
