"""Opinion polls: publishing a questionnaire, answers from the public, live results."""
