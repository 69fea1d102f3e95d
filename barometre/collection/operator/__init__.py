"""Operator back office: accounts, editions, campaigns, targets, invitations, monitoring, imports."""
