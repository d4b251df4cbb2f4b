"""Cases (process instances) as people act on them: attachments, supervision, what is shown of them."""
