"""Guards against abuse that every web process shares through the database: rate limits and challenges."""
