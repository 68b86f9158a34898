"""Validating submissions: the compiled validator, the report's messages, the fast path."""
