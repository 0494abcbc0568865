"""Errors that tell the user what went wrong and what to do about it."""


class PipelineError(RuntimeError):
    """Base class: the message names the problem and the fix."""


class ConfigError(PipelineError, ValueError):
    """A configuration value is invalid."""


class DataError(PipelineError):
    """A dataset could not be acquired or is not what it should be."""


class ChecksumError(DataError):
    """A downloaded or local file does not match its expected checksum."""
