"""Notifications: in-app notices and the senders that carry them further."""
