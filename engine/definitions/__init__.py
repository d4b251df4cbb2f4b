"""Process definitions: bundles, parsing, deploy-time checks, specs, forms, drafts and the catalog."""
