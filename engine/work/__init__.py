"""Human tasks as staff work on them: the inbox and the actions on a task."""
