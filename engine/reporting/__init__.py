"""The supervisor's figures, answered from the database tables only (never by loading a workflow)."""
