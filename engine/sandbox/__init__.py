"""The one sandboxed script engine for every script, condition, timer, correlation and DMN cell."""
